// Draws every chart of the briefing from its JSON (a script element of type application/json),
// with the plotly.js inlined before this script. No fetch: the page's CSP allows none.
document.querySelectorAll('[data-figure]').forEach(function (el) {
  var fig = JSON.parse(document.getElementById(el.dataset.figure).textContent);
  try {
    Plotly.newPlot(el, fig.data, fig.layout, {staticPlot: true, displayModeBar: false});
  } catch (e) {
    el.textContent = 'chart failed: ' + e;
  }
});
