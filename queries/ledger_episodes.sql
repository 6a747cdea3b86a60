-- ledger_episodes: the rectification ledger's problems (dashboard/ledger.py), one row per
-- (kind, entity, criterion) seen in any week up to $until: township_id, the latest episode
-- (opened_week: its first week; last_week: its last week; closed_week: the next observed week
-- of the township in which the problem was gone, NULL while it lasts), episodes (how many
-- times it opened), and what the page shows beside it (name, the branch's four link_*).
-- A week is observed for a township only if the township reported it: grid kinds in weeks
-- with any of its grid reports, checkpoint kinds in weeks with any shift starting, branch and
-- roster kinds in weeks with either (a township with neither grids nor checkpoints: every week
-- the county has data for). An unobserved week neither opens nor closes anything.
-- submission_missing is observed in every week up to $missing_until (the last week whose
-- reporting deadline has passed; NULL for none) of a township that has grids or checkpoints.
-- The roster is read as of each week's end (members reported on or before it), as the
-- figures read it; grid_no_chief is a grid with members but no 网格长 (one with no member is
-- grid_unstaffed).
-- Parameters: $until (DATE, a Monday), $missing_until (DATE or NULL), $criteria (VARCHAR[]),
--             $min_links, $max_links (INTEGER: households a member links, the county's rule).
WITH grid_township AS (
    SELECT grid_id, name, township_id, households FROM grids_in_scope(NULL)
),

grids_in AS (
    SELECT DISTINCT township_id, week_start
    FROM grid_weeks(DATE '0001-01-01', $until::DATE, NULL)
),

checkpoints_in AS (
    SELECT DISTINCT township_id, week_start
    FROM checkpoint_weeks(DATE '0001-01-01', $until::DATE, NULL)
    WHERE persons_checked IS NOT NULL
),

-- townships expected to submit weekly: those with grids or checkpoints
expected AS (
    SELECT township_id FROM grid_township
    UNION
    SELECT township_id FROM checkpoints
),

observed_weeks_all AS (
    SELECT week_start FROM grids_in UNION SELECT week_start FROM checkpoints_in
),

-- domain: grid / checkpoint / any (either) / deadline; obs numbers a township's observed weeks
observed AS (
    SELECT 'grid' AS domain, township_id, week_start FROM grids_in
    UNION ALL
    SELECT 'checkpoint', township_id, week_start FROM checkpoints_in
    UNION ALL
    SELECT 'any', township_id, week_start FROM (
        SELECT * FROM grids_in UNION SELECT * FROM checkpoints_in
    )
    UNION ALL
    -- a township with no grid and no checkpoint submits nothing weekly: its branches are
    -- followed in every week the county has data for
    SELECT 'any', t.township_id, w.week_start
    FROM townships AS t
    CROSS JOIN observed_weeks_all AS w
    WHERE w.week_start <= $until::DATE
      AND t.township_id NOT IN (SELECT township_id FROM expected WHERE township_id IS NOT NULL)
    UNION ALL
    SELECT 'deadline', e.township_id, w.week_start
    FROM expected AS e
    CROSS JOIN (
        SELECT unnest(generate_series(
            (SELECT min(week_start) FROM observed_weeks_all), $missing_until::DATE, INTERVAL 7 DAY
        ))::DATE AS week_start
    ) AS w
    WHERE $missing_until IS NOT NULL AND e.township_id IS NOT NULL
),

numbered AS (
    SELECT *, row_number() OVER (PARTITION BY domain, township_id ORDER BY week_start) AS obs
    FROM observed
),

-- a branch's assessment holds from the week it was made until the week of the next one
assessment_weeks AS (
    SELECT
        branch_id,
        date_trunc('week', assessed_on)::DATE AS valid_from,
        coalesce(list(criterion) FILTER (WHERE passed), []) AS passed_criteria
    FROM branch_assessments AS a
    WHERE assessed_on = (
        SELECT max(b.assessed_on) FROM branch_assessments AS b
        WHERE b.branch_id = a.branch_id
          AND date_trunc('week', b.assessed_on) = date_trunc('week', a.assessed_on)
    )
    GROUP BY branch_id, assessed_on
),

assessment_spans AS (
    SELECT *, lead(valid_from) OVER (PARTITION BY branch_id ORDER BY valid_from) AS valid_to
    FROM assessment_weeks
),

branch_failures AS (
    SELECT
        'branch_criterion' AS kind, b.branch_id AS entity, c.criterion, b.township_id,
        n.week_start
    FROM branches AS b
    JOIN assessment_spans AS s ON s.branch_id = b.branch_id
    JOIN numbered AS n
        ON n.domain = 'any' AND n.township_id = b.township_id
       AND n.week_start >= s.valid_from AND (s.valid_to IS NULL OR n.week_start < s.valid_to)
    CROSS JOIN (SELECT unnest($criteria::VARCHAR[]) AS criterion) AS c
    WHERE NOT list_contains(s.passed_criteria, c.criterion)
),

first_assessed AS (
    SELECT branch_id, min(valid_from) AS first_week FROM assessment_weeks GROUP BY branch_id
),

branch_unassessed AS (
    SELECT
        'roster_branch_never_assessed' AS kind, b.branch_id AS entity, NULL AS criterion,
        b.township_id, n.week_start
    FROM branches AS b
    LEFT JOIN first_assessed AS f ON f.branch_id = b.branch_id
    JOIN numbered AS n
        ON n.domain = 'any' AND n.township_id = b.township_id
       AND (f.first_week IS NULL OR n.week_start < f.first_week)
),

-- when each grid's roster crosses a line: first member, first chief, second chief, and the
-- first week its members together link more households than it has
grid_roster AS (
    SELECT
        g.grid_id,
        min(date_trunc('week', m.reported_on))::DATE AS first_member,
        (min(date_trunc('week', m.reported_on)) FILTER (WHERE m.role = 'chief'))::DATE
            AS first_chief
    FROM grid_township AS g
    LEFT JOIN members AS m ON m.grid_id = g.grid_id
    GROUP BY g.grid_id
),

chiefs_ranked AS (
    SELECT grid_id, date_trunc('week', reported_on)::DATE AS since,
           row_number() OVER (PARTITION BY grid_id ORDER BY reported_on, member_id) AS rn
    FROM members
    WHERE grid_id IS NOT NULL AND role = 'chief'
),

links_running AS (
    SELECT m.grid_id, date_trunc('week', m.reported_on)::DATE AS since, g.households,
           sum(m.households_linked) OVER (
               PARTITION BY m.grid_id ORDER BY m.reported_on, m.member_id ROWS UNBOUNDED PRECEDING
           ) AS linked
    FROM members AS m
    JOIN grid_township AS g ON g.grid_id = m.grid_id
),

grid_lines AS (
    SELECT
        r.grid_id, r.first_member, r.first_chief,
        (SELECT min(since) FROM chiefs_ranked AS c WHERE c.grid_id = r.grid_id AND c.rn = 2)
            AS many_chiefs_from,
        (SELECT min(since) FROM links_running AS l WHERE l.grid_id = r.grid_id
            AND l.linked > l.households) AS overlinked_from
    FROM grid_roster AS r
),

grid_problems AS (
    SELECT 'grid_not_reported' AS kind, g.grid_id AS entity, NULL AS criterion, g.township_id,
           n.week_start
    FROM grid_township AS g
    JOIN numbered AS n ON n.domain = 'grid' AND n.township_id = g.township_id
    ANTI JOIN grid_weeks(DATE '0001-01-01', $until::DATE, NULL) AS r
        ON r.grid_id = g.grid_id AND r.week_start = n.week_start
    UNION ALL
    SELECT
        CASE k.kind_no
            WHEN 1 THEN 'grid_unstaffed'
            WHEN 2 THEN 'grid_no_chief'
            WHEN 3 THEN 'roster_grid_many_chiefs'
            ELSE 'roster_grid_overlinked'
        END,
        g.grid_id, NULL, g.township_id, n.week_start
    FROM grid_township AS g
    JOIN grid_lines AS l ON l.grid_id = g.grid_id
    JOIN numbered AS n ON n.domain = 'any' AND n.township_id = g.township_id
    CROSS JOIN range(1, 5) AS k(kind_no)
    WHERE CASE k.kind_no
        WHEN 1 THEN l.first_member IS NULL OR n.week_start < l.first_member
        WHEN 2 THEN n.week_start >= l.first_member
             AND (l.first_chief IS NULL OR n.week_start < l.first_chief)
        WHEN 3 THEN n.week_start >= l.many_chiefs_from
        ELSE n.week_start >= l.overlinked_from
    END
),

member_problems AS (
    SELECT 'roster_member_links' AS kind, m.member_id AS entity, NULL AS criterion, g.township_id,
           n.week_start
    FROM members AS m
    JOIN grid_township AS g ON g.grid_id = m.grid_id
    JOIN numbered AS n
        ON n.domain = 'any' AND n.township_id = g.township_id
       AND n.week_start >= date_trunc('week', m.reported_on)::DATE
    WHERE m.households_linked < $min_links OR m.households_linked > $max_links
),

-- a checkpoint with fewer staff than required in any hour slot of a week its township reported
checkpoint_problems AS (
    SELECT 'checkpoint_gap' AS kind, c.checkpoint_id AS entity, NULL AS criterion, c.township_id,
           n.week_start
    FROM checkpoints AS c
    JOIN numbered AS n ON n.domain = 'checkpoint' AND n.township_id = c.township_id
    LEFT JOIN checkpoint_weeks(DATE '0001-01-01', $until::DATE, NULL) AS w
        ON w.checkpoint_id = c.checkpoint_id AND w.week_start = n.week_start
    WHERE coalesce(w.staffed_slots, 0) < hours_per_week()
),

submission_problems AS (
    SELECT 'submission_missing' AS kind, n.township_id AS entity, NULL AS criterion,
           n.township_id, n.week_start
    FROM numbered AS n
    ANTI JOIN (SELECT * FROM grids_in UNION SELECT * FROM checkpoints_in) AS r
        ON r.township_id = n.township_id AND r.week_start = n.week_start
    WHERE n.domain = 'deadline'
),

problems AS (
    SELECT * FROM branch_failures
    UNION ALL SELECT * FROM branch_unassessed
    UNION ALL SELECT * FROM grid_problems
    UNION ALL SELECT * FROM member_problems
    UNION ALL SELECT * FROM checkpoint_problems
    UNION ALL SELECT * FROM submission_problems
),

with_obs AS (
    SELECT
        p.*,
        CASE WHEN p.kind LIKE 'grid\_%' ESCAPE '\' AND p.kind <> 'grid_not_reported'
             THEN 'any'
             WHEN p.kind = 'grid_not_reported' THEN 'grid'
             WHEN p.kind = 'checkpoint_gap' THEN 'checkpoint'
             WHEN p.kind = 'submission_missing' THEN 'deadline'
             ELSE 'any'
        END AS domain
    FROM problems AS p
),

-- consecutive observed weeks of a problem share obs - row_number(): one episode each
islands AS (
    SELECT
        w.kind, w.entity, w.criterion, w.township_id, w.domain, w.week_start, n.obs,
        n.obs - row_number() OVER (
            PARTITION BY w.kind, w.entity, w.criterion ORDER BY w.week_start
        ) AS island
    FROM with_obs AS w
    JOIN numbered AS n
        ON n.domain = w.domain AND n.township_id = w.township_id AND n.week_start = w.week_start
),

episodes AS (
    SELECT
        kind, entity, criterion, any_value(township_id) AS township_id, any_value(domain) AS domain,
        min(week_start) AS opened_week, max(week_start) AS last_week, max(obs) AS last_obs
    FROM islands
    GROUP BY kind, entity, criterion, island
),

latest AS (
    SELECT
        kind, entity, criterion,
        arg_max(township_id, opened_week) AS township_id,
        arg_max(domain, opened_week) AS domain,
        max(opened_week) AS opened_week,
        arg_max(last_week, opened_week) AS last_week,
        arg_max(last_obs, opened_week) AS last_obs,
        count(*) AS episodes
    FROM episodes
    GROUP BY kind, entity, criterion
),

final AS (
    SELECT
        l.kind, l.entity, l.criterion, l.township_id, l.opened_week, l.last_week,
        n.week_start AS closed_week, l.episodes,
        coalesce(b.name, g.name, c.name, t.name, l.entity) AS name,
        b.link_county_leader, b.link_unit, b.link_township, b.link_village_team,
        coalesce(mg.grid_id, NULL) AS member_grid_id
    FROM latest AS l
    LEFT JOIN numbered AS n
        ON n.domain = l.domain AND n.township_id = l.township_id AND n.obs = l.last_obs + 1
    LEFT JOIN branches AS b ON l.kind LIKE '%branch%' AND b.branch_id = l.entity
    LEFT JOIN grid_township AS g ON l.kind LIKE '%grid%' AND g.grid_id = l.entity
    LEFT JOIN checkpoints AS c ON l.kind = 'checkpoint_gap' AND c.checkpoint_id = l.entity
    LEFT JOIN townships AS t ON l.kind LIKE 'submission%' AND t.township_id = l.entity
    LEFT JOIN members AS mg ON l.kind = 'roster_member_links' AND mg.member_id = l.entity
)

SELECT * FROM final
ORDER BY township_id, kind, entity, criterion
