"""Chinese and English labels: one table for everything a user reads.

Chinese is the default. `t(key, lang)` gives a label; enum codes and table
columns get theirs from `contract`, so a code never shows untranslated.
"""
from __future__ import annotations

import datetime as dt
import math
import re

from . import contract

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key -> (zh, en). Keys are grouped by where they appear; `{name}` fields are format()ed.
LABELS: dict[str, tuple[str, str]] = {
    # --- app-wide
    "app.title": ("孟连县边境党建数据看板", "Menglian Border Party-Building Dashboard"),
    "app.subtitle": ("党建引领 · 强边固防", "Party building leads, the border holds"),
    "filter.township": ("乡镇", "Township"),
    "filter.county": ("全县", "Whole county"),
    "filter.week": ("周", "Week"),
    "filter.lang": ("语言 Language", "语言 Language"),
    "filter.week_label": ("{start} 至 {end}", "{start} to {end}"),
    "note.bad_township": ("链接中的乡镇代码「{value}」不存在，已显示全县。",
                          "Township “{value}” in the link does not exist; showing the whole county."),
    "note.bad_week": ("链接中的周「{value}」无效（应为有数据的周一，如 {latest}），已显示最近一周。",
                      "Week “{value}” in the link is not valid (use a Monday with data, e.g. {latest});"
                      " showing the latest week."),
    "note.bad_lang": ("链接中的语言「{value}」不支持，已使用中文。",
                      "Language “{value}” in the link is not supported; using Chinese."),
    "empty.store": ("尚未载入任何数据。请由管理员用命令行或数据管理页载入报表。",
                    "No data has been loaded yet. An administrator can load the reports"
                    " from the command line or the data page."),
    "data.as_of": ("数据周：{start} 至 {end}", "Data week: {start} to {end}"),
    "na": ("—", "—"),
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download Excel"),
    "target": ("目标", "Target"),
    "on_target": ("达标", "On target"),
    "below_target": ("未达标", "Below target"),
    "no_target": ("无目标", "No target"),
    "trend": ("近{n}周趋势", "Last {n} weeks"),
    "unit.people": ("人", "people"),
    "unit.person_times": ("人次", "person-times"),
    "unit.sessions": ("期（场）", "sessions"),
    "unit.households": ("户", "households"),
    "unit.grids": ("个网格", "grids"),
    "unit.branches": ("个党支部", "branches"),
    "unit.checkpoints": ("个卡点", "checkpoints"),
    "unit.hours": ("小时", "hours"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),

    # --- login and access
    "auth.login": ("登录", "Sign in"),
    "auth.name": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.submit": ("登录", "Sign in"),
    "auth.logout": ("退出登录", "Sign out"),
    "auth.signed_in": ("当前用户：{name}（{role}）", "Signed in: {name} ({role})"),
    "auth.open_mode": ("演示模式：尚未设置用户，所有数据对本机访问者开放，仅在本机（127.0.0.1）提供服务。"
                       "正式使用前请用命令行添加用户。",
                       "Open demo mode: no users are set up, so everything is visible to whoever uses"
                       " this machine, and the dashboard serves this machine (127.0.0.1) only."
                       " Add users from the command line before real use."),
    "note.scoped": ("您的账号只能查看本乡镇的数据，链接中的乡镇「{value}」已忽略。",
                    "Your account sees its own township only; township “{value}” in the link was ignored."),
    "page.data": ("数据管理", "Data"),
    "auth.no_access": ("您的账号无权打开此页。", "Your account may not open this page."),

    # --- sessions, tokens and throttling (issue 11: auth.py, ui.py login gate)
    "auth.ended_removed": ("您的账号已被删除，会话已结束。", "Your account was removed: the session has ended."),
    "auth.ended_password": ("您的密码已更改，请重新登录。", "Your password was changed: please sign in again."),
    "auth.ended_cookie": ("登录已过期或已失效，请重新登录。",
                          "Your sign-in has expired or was revoked: please sign in again."),
    "auth.screen_revoked": ("大屏令牌无效或已被撤销，请管理员重新发放链接，或登录。",
                            "The screen token is invalid or was revoked: ask an administrator for a"
                            " new link, or sign in."),
    "auth.no_users": ("尚未设置任何用户，而本次访问不是直接来自本机（经过代理或来自其他计算机），看板不对外开放。"
                      "请在服务器上用命令行添加用户：python -m dashboard user add 名称 --role admin",
                      "No users are set up, and this request does not come straight from this machine"
                      " (it came through a proxy or from another computer), so the dashboard stays"
                      " closed. Add a user on the server: python -m dashboard user add NAME --role admin"),
    "auth.audit_skipped": ("操作日志中有 {n} 行已损坏，已跳过。", "{n} damaged line(s) of the audit log were skipped."),
    "presenter.not_yours": ("乡镇账号只能控制显示本乡镇的大屏；此大屏显示的是其他乡镇或全县。",
                            "A township account steers only screens showing its own township; this"
                            " screen shows another township or the whole county."),
    "desk.event_session_ended": ("会话结束", "session ended"),
    "desk.event_user_add": ("添加用户", "user added"),
    "desk.event_user_remove": ("删除用户", "user removed"),
    "desk.event_user_passwd": ("更改密码", "password set"),
    "desk.event_unpin": ("取消标记", "unpin"),
    "desk.event_screen_token": ("发放大屏令牌", "screen token issued"),
    "desk.event_screen_revoke": ("撤销大屏令牌", "screen token revoked"),

    # --- data page (数据管理)
    "auth.demo_actor": ("演示模式", "demo mode"),
    "data.tab_upload": ("上传报表", "Upload"),
    "data.tab_history": ("版本历史", "Version history"),
    "data.tab_template": ("报送模板", "Template"),
    "data.tab_audit": ("操作日志", "Audit log"),
    "data.upload_help": ("上传一个或多个 CSV / Excel 文件（文件名或工作表名为表名，如「网格周报.csv」），"
                         "也可附带 grids.geojson、townships.geojson。先检查，确认无误后再提交；"
                         "有任何错误时不会保存任何数据。",
                         "Upload one or more CSV / Excel files (named by table, e.g. grid_weekly.csv or"
                         " 网格周报.csv), optionally with grids.geojson and townships.geojson. Check first,"
                         " then commit; a file with any error stores nothing."),
    "data.upload": ("选择文件", "Choose files"),
    "data.replace": ("整表替换（而不是按主键更新）", "Replace whole tables (instead of updating by key)"),
    "data.replace_help": ("勾选后，上传的表将整体替换已存储的同名表。",
                          "The uploaded tables replace the stored tables of the same name entirely."),
    "data.check": ("检查文件", "Check files"),
    "data.checking": ("正在检查……", "Checking…"),
    "data.rejected": ("发现 {n}{more} 个错误，数据未作任何改动。请修改后重新上传：",
                      "{n}{more} error(s) found; nothing was changed. Fix them and upload again:"),
    "data.nothing_changed": ("这些文件与已存储的数据完全相同，无需保存，未生成新版本。",
                             "These files match the stored data exactly; nothing to store, no new version."),
    "data.valid": ("检查通过。提交后将产生以下变化：", "All checks passed. Committing will make these changes:"),
    "data.sample": ("{table}：新增或变化的记录示例（{n} 条）", "{table}: sample of new or changed rows ({n})"),
    "data.commit": ("提交并生成新版本", "Commit as a new version"),
    "data.committing": ("正在保存……", "Storing…"),
    "data.committed": ("已保存为版本 {version}，各页面已更新。", "Stored as version {version}; every page now shows it."),
    "data.version": ("版本", "Version"),
    "data.restore": ("恢复到某个版本", "Restore a version"),
    "data.restore_confirm": ("我确认要把版本 {version} 的数据恢复为最新版本（不会删除任何版本）",
                             "I confirm: publish version {version}'s data as the newest version (no version is deleted)"),
    "data.restore_button": ("恢复", "Restore"),
    "data.restored": ("版本 {version} 已恢复为新版本 {new}。", "Version {version} restored as version {new}."),
    "data.pin": ("标记为例会快照", "Pin as a meeting snapshot"),
    "data.pin_label": ("标签", "Label"),
    "data.pin_placeholder": ("如：12月27日例会", "e.g. 27 Dec meeting"),
    "data.pin_button": ("标记", "Pin"),
    "data.pinned": ("已将版本 {version} 标记为「{label}」。", "Version {version} pinned as “{label}”."),
    "data.template_help": ("下载 Excel 报送模板：每张表一个工作表，中文表头，选项列带下拉框，"
                           "「说明」工作表解释每一列的填写规则。填好后可直接上传。",
                           "Download the Excel template: one sheet per table with Chinese headers,"
                           " drop-down lists for choices, and a 说明 (notes) sheet explaining every"
                           " column. A filled template uploads as it is."),
    "data.template_download": ("下载报送模板（xlsx）", "Download the template (xlsx)"),
    "data.audit_empty": ("暂无操作记录。", "Nothing recorded yet."),
    "desk.file": ("文件", "File"),
    "desk.table": ("表", "Table"),
    "desk.row": ("行号", "Row"),
    "desk.column": ("列", "Column"),
    "desk.value": ("值", "Value"),
    "desk.reason": ("问题", "Problem"),
    "desk.added": ("新增", "Added"),
    "desk.changed": ("修改", "Changed"),
    "desk.removed": ("删除", "Removed"),
    "desk.is_new": ("新记录", "New"),
    "desk.version": ("版本", "Version"),
    "desk.current": ("当前", "Live"),
    "desk.when": ("时间", "When"),
    "desk.by": ("操作人", "By"),
    "desk.action": ("操作", "Action"),
    "desk.action_load": ("载入", "load"),
    "desk.action_replace": ("整表替换", "replace"),
    "desk.action_restore": ("恢复", "restore"),
    "desk.files": ("文件", "Files"),
    "desk.rows": ("各表变化（新增/修改/删除）", "Rows per table (+added/~changed/-removed)"),
    "desk.pinned": ("例会快照", "Pinned"),
    "desk.event": ("事件", "Event"),
    "desk.details": ("详情", "Details"),
    "desk.event_login": ("登录", "login"),
    "desk.event_login_failed": ("登录失败", "failed login"),
    "desk.event_login_refused": ("登录过于频繁，暂缓受理", "login refused (throttled)"),
    "desk.event_logout": ("退出", "logout"),
    "desk.event_load": ("载入数据", "load"),
    "desk.event_restore": ("恢复版本", "restore"),
    "desk.event_pin": ("标记快照", "pin"),

    # --- intake: the reader's import summary (issue 10 §1: ingest)

    # --- pages
    "page.overview": ("总览", "Overview"),
    "page.grids": ("网格覆盖", "Grid coverage"),
    "page.branches": ("党组织达标", "Branch compliance"),
    "page.training": ("培训宣讲", "Training"),
    "page.checkpoints": ("卡点值守", "Checkpoint staffing"),
    "page.kiosk": ("会议大屏", "Meeting screen"),
    "page.presenter": ("大屏控制", "Screen control"),

    # --- township submissions: reporter upload, prefilled forms, board 报送情况 (issue 10 §2)
    "page.submissions": ("报送情况", "Submissions"),
    "desk.event_submit": ("乡镇报送", "township submission"),
    "data.tab_board": ("报送情况", "Submissions"),
    "data.tab_form": ("预填报表", "Prefilled form"),
    "sub.upload_help": ("上传本乡镇（{township}）的周报表：网格周报、卡点值守、培训宣讲、达标评估"
                        "（一个 Excel 文件的多个工作表，或每张表一个 CSV 文件）。最方便的是先在「预填报表」"
                        "中下载本周的预填报表，只填数字后上传。先「检查文件」，确认无误后再提交；"
                        "含其他乡镇的行或其他表时，整个上传会被退回并指出行号。",
                        "Upload your township's ({township}) weekly tables: grid reports, checkpoint"
                        " shifts, trainings, branch assessments (sheets of one Excel file, or one CSV"
                        " file per table). Easiest: download this week's prefilled form under"
                        " “Prefilled form”, fill in the numbers, upload it. Check first, then commit;"
                        " a row of another township, or another table, refuses the whole upload and"
                        " names the row."),
    "sub.submitted": ("已报送，保存为版本 {version}，各页面已更新。",
                      "Submitted and stored as version {version}; every page now shows it."),
    "sub.summary": ("导入摘要：系统读到的内容（尚未保存）", "Import summary: what was read (nothing stored yet)"),
    "sub.sum_item": ("事项", "What"),
    "sub.sum_count": ("数量", "Count"),
    "sub.sum_rows": ("行号", "Rows"),
    "sub.sum_read": ("读取的记录", "Rows read"),
    "sub.sum_skipped_title": ("跳过：标题行", "Skipped: title rows"),
    "sub.sum_skipped_total": ("跳过：合计行", "Skipped: total rows"),
    "sub.sum_skipped_footer": ("跳过：签字行（填报人、审核人等）", "Skipped: signature lines (filled in by, checked by)"),
    "sub.sum_skipped_empty": ("跳过：空行", "Skipped: empty rows"),
    "sub.sum_skipped_blank_header": ("跳过：无表头的列", "Skipped: columns without a header"),
    "sub.sum_skipped_other": ("跳过：{reason}", "Skipped: {reason}"),
    "sub.sum_converted_date": ("转换：其他格式的日期", "Converted: dates in another form"),
    "sub.sum_converted_fullwidth": ("转换：全角数字或符号", "Converted: full-width digits or signs"),
    "sub.sum_converted_separator": ("转换：带千位分隔符的数字", "Converted: numbers with separators"),
    "sub.sum_converted_bool_symbol": ("转换：√ × 等是/否符号", "Converted: √ × and other yes/no marks"),
    "sub.sum_converted_other": ("转换：{kind}", "Converted: {kind}"),
    "sub.form_help": ("下载本乡镇某一周的预填报表：网格代码、周起始日和按上周排班生成的值班时间已填好，"
                      "灰色「参考」列为网格、卡点名称，系统不读取。只需填写数字，保存后在「上传报表」中上传。",
                      "Download your township's prefilled form for a week: grid codes, the week and"
                      " shift times laid out from last week's pattern are filled in; the grey"
                      " reference columns (参考) name the grids and checkpoints and are not read."
                      " Fill in the numbers only, save, and upload it under “Upload”."),
    "sub.form_week": ("报表周（周一）", "Week (Monday)"),
    "sub.form_make": ("生成预填报表", "Make the prefilled form"),
    "sub.form_download": ("下载预填报表（xlsx）", "Download the prefilled form (xlsx)"),
    "sub.form_file": ("{name}{week}周报表", "{name}-weekly-{week}"),
    "sub.week": ("报送周", "Week reported"),
    "sub.rule": ("网格周报为已报网格/网格数，卡点值守为有值班的卡点·天/（卡点数×7），培训宣讲为本周举办的活动数，"
                 "达标评估为本周评估的党支部数。"
                 "**已报送**：每个网格都报了网格周报，且每个卡点本周7天每天都有值班（某班次在当天开始）；"
                 "**未报送**：本周没有该乡镇的任何记录（网格周报、值班、培训宣讲、达标评估）；"
                 "其余为**部分报送**。数据来自已保存的报表，报送人和时间来自操作日志和版本记录。",
                 "Grid reports: grids that sent / grids; checkpoint-days: days with a shift / (7 ×"
                 " checkpoints); trainings held and branches assessed in the week. **Submitted**: every grid sent its weekly report and every checkpoint has a shift"
                 " starting on each of the 7 days; **not submitted**: nothing of the township for the"
                 " week (grid reports, shifts, trainings, assessments); anything else is **partly"
                 " submitted**. Counts come from the stored reports; who and when from the audit"
                 " log and the version records."),
    "sub.counts": ("已报送 {submitted} 个 · 部分报送 {partial} 个 · 未报送 {missing} 个乡镇",
                   "{submitted} submitted · {partial} partly · {missing} not submitted"),
    "sub.status_submitted": ("已报送", "Submitted"),
    "sub.status_partial": ("部分报送", "Partly submitted"),
    "sub.status_missing": ("未报送", "Not submitted"),
    "sub.col_township": ("乡镇", "Township"),
    "sub.col_status": ("状态", "Status"),
    "sub.col_grids": ("网格周报", "Grid reports"),
    "sub.col_checkpoint_days": ("卡点值守（卡点·天）", "Checkpoint-days"),
    "sub.col_trainings": ("培训宣讲", "Trainings"),
    "sub.col_assessed": ("达标评估", "Assessed"),
    "sub.col_when": ("最近报送", "Last sent"),
    "sub.col_by": ("报送人", "By"),
    "sub.col_via": ("方式", "How"),
    "sub.via_submit": ("乡镇报送 v{version}", "township upload v{version}"),
    "sub.via_load": ("县级载入 v{version}", "county load v{version}"),
    "sub.via_replace": ("整表替换 v{version}", "table replace v{version}"),
    "sub.via_restore": ("恢复版本 v{version}", "restore v{version}"),
    "sub.before": ("早于 v{version}", "before v{version}"),
    "sub.own_row": ("本乡镇 {week}：**{status}**", "Your township, {week}: **{status}**"),
    "sub.kiosk_grids": ("网格周报 {sent}/{total}", "Grid reports {sent}/{total}"),
    "sub.kiosk_days": ("卡点值守 {sent}/{total} 天", "Checkpoint-days {sent}/{total}"),
    "sub.kiosk_no_grids": ("无网格", "No grids"),
    "sub.kiosk_no_checkpoints": ("无卡点", "No checkpoints"),
    "sub.kiosk_other": ("培训 {trainings} 项 · 评估 {assessed} 个支部", "Trainings {trainings} · assessed {assessed}"),
    "sub.kiosk_submitted": ("已报送乡镇", "Townships submitted"),
    "sub.kiosk_status_submitted": ("已报送", "Sent"),
    "sub.kiosk_status_partial": ("部分报送", "Partly sent"),
    "sub.kiosk_status_missing": ("未报送", "Not sent"),

    # --- metric names (KPI tiles, tables, briefings)
    "kpi.compliance": ("边境村组党支部达标", "Border branches up to standard"),
    "kpi.members": ("下沉党员报到", "In-service members reported"),
    "kpi.grids_staffed": ("网格有人包保", "Grids staffed"),
    "kpi.visit_rate": ("本周入户走访率", "Household visit rate this week"),
    "kpi.reporting_rate": ("网格周报报送率", "Grids reporting this week"),
    "kpi.coverage": ("卡点24小时值守覆盖率", "Checkpoint 24 h coverage"),
    "kpi.training": ("{kind}（年度累计）", "{kind} (year to date)"),
    "kpi.of": ("共 {total}", "of {total}"),
    "kpi.visited_of": ("走访 {visited} / {households} 户", "{visited} of {households} households"),
    "kpi.slots_of": ("{staffed} / {slots} 个时段", "{staffed} of {slots} hour slots"),
    "kpi.assigned": ("已入格 {assigned} 人，挂联 {households} 户",
                     "{assigned} assigned to grids, {households} households linked"),
    "kpi.target_is": ("目标 {target}", "target {target}"),

    # --- data quality warnings (issue 10 §3)
    "quality.title": ("数据质量提示", "Data quality warnings"),
    "quality.help": ("以下提示不影响数据载入，请核对所列记录，在下次报送时更正。范围：{scope}，数据周 {week}，版本 {version}。",
                     "These warnings do not block a load: check the rows listed and correct them in"
                     " the next report. Scope: {scope}, data week {week}, version {version}."),
    "quality.none": ("未发现数据质量问题。", "No data quality warnings."),
    "quality.kind.grid_no_chief": ("{n} 个网格没有网格长", "Grids with no grid chief (网格长): {n}"),
    "quality.kind.grid_many_chiefs": ("{n} 个网格有多名网格长", "Grids with more than one grid chief: {n}"),
    "quality.kind.member_links": ("{n} 名下沉党员挂联户数不在 {low}—{high} 户之间",
                                  "Members linking fewer than {low} or more than {high} households: {n}"),
    "quality.kind.grid_overlinked": ("{n} 个网格的党员挂联户数合计超过网格户数",
                                     "Grids whose members together link more households than the grid has: {n}"),
    "quality.kind.checkpoint_no_shift": ("{n} 个卡点本周没有值守记录", "Checkpoints with no shift in the week: {n}"),
    "quality.kind.branch_never_assessed": ("{n} 个党支部从未评估", "Branches never assessed: {n}"),
    "quality.short.grid_no_chief": ("无网格长的网格 {n} 个", "grids without a chief: {n}"),
    "quality.short.grid_many_chiefs": ("多名网格长的网格 {n} 个", "grids with several chiefs: {n}"),
    "quality.short.member_links": ("挂联户数不在 {low}—{high} 户的党员 {n} 名",
                                   "members not linking {low}–{high} households: {n}"),
    "quality.short.grid_overlinked": ("挂联超过户数的网格 {n} 个", "grids linked beyond their households: {n}"),
    "quality.short.checkpoint_no_shift": ("本周无值守记录的卡点 {n} 个", "checkpoints with no shift: {n}"),
    "quality.short.branch_never_assessed": ("从未评估的党支部 {n} 个", "branches never assessed: {n}"),
    "quality.line": ("数据质量提示：{items}（详见数据管理页）。",
                     "Data quality warnings: {items} (listed on the data page)."),
    "quality.line_none": ("数据质量提示：无。", "Data quality warnings: none."),
    "quality.col.chiefs": ("网格长人数", "Grid chiefs"),
    "quality.col.chief_ids": ("网格长党员编号", "Chiefs' member codes"),
    "quality.col.linked": ("挂联户数", "Households linked"),
    "quality.col.linked_sum": ("党员挂联户数合计", "Households linked by its members"),
    "quality.col.unit": ("所在单位", "Unit"),
    "quality.col.last_shift": ("最近一次值守开始", "Last shift began"),
    "quality.unassigned": ("（未入格）", "(not assigned)"),
    "quality.no_shift_ever": ("从无值守记录", "never"),

    # --- changes since the last meeting
    "change.points": ("个百分点", " pts"),
    "change.since_meeting": ("较上次例会（{label}）{amount}", "{amount} since the meeting “{label}”"),
    "change.since_week": ("较上周 {amount}", "{amount} vs the week before"),

    # --- weekly briefing (PDF) button
    "briefing.make": ("生成本周工作周报（PDF）", "Make this week's briefing (PDF)"),
    "briefing.making": ("正在生成周报，约需十几秒……", "Making the briefing; this takes a few seconds…"),
    "briefing.download": ("下载周报 PDF", "Download the briefing PDF"),
    "briefing.file": ("边境党建周报", "briefing"),
    "briefing.failed": ("周报生成失败：{reason}", "The briefing could not be made: {reason}"),

    # --- overview
    "overview.headline": ("本周概况", "This week at a glance"),
    "overview.training": ("培训宣讲（年度累计，对照目标）", "Training and outreach, year to date vs target"),
    "overview.no_branches": ("{township}没有边境村组党支部。", "{township} has no border village-group branches."),
    "overview.no_checkpoints": ("{township}没有卡点。", "{township} has no checkpoints."),
    "overview.no_grids": ("{township}没有社区网格：网格化管理和在职党员下沉只在设有社区的乡镇开展。",
                          "{township} has no community grids: grids, and the in-service members who"
                          " report to them, exist only in townships with communities."),
    "overview.attention": ("需要关注", "Needs attention"),
    "overview.attention_none": ("本周没有需要关注的事项。", "Nothing needs attention this week."),
    "overview.indicators": ("强边固防指标", "Border-defence indicators"),
    "overview.trend": ("近12周达标与覆盖趋势", "Compliance and coverage, last 12 weeks"),
    "attention.branches": ("{n} 个党支部未达标", "{n} branches not up to standard"),
    "attention.gaps": ("{n} 处卡点值守空档（共 {hours} 小时）",
                       "{n} checkpoint staffing gaps ({hours} hours in all)"),
    "attention.grids": ("{n} 个网格需关注（未报送、无人包保或走访率低于目标）",
                        "{n} grids need attention (no report, unstaffed, or visits below target)"),
    "attention.more": ("查看详情", "See details"),
    "attention.failed": ("未达标项目：{items}", "Failed: {items}"),
    "attention.hours": ("（{n} 小时）", " ({n} hours)"),
    "attention.where": ("{name}（{place}）", "{name} ({place})"),
    "attention.never": ("从未评估", "never assessed"),

    # --- grid attention reasons (metrics.GRID_REASONS)
    "reason.not_reported": ("本周未报送", "no report this week"),
    "reason.unstaffed": ("无党员包保", "no member assigned"),
    "reason.below_target": ("走访率低于目标", "visits below target"),

    # --- common table columns
    "col.township": ("乡镇", "Township"),
    "col.community": ("社区", "Community"),
    "col.zone": ("片区", "Zone"),
    "col.grid": ("网格", "Grid"),
    "col.branch": ("党支部", "Branch"),
    "col.checkpoint": ("卡点", "Checkpoint"),
    "col.village": ("行政村", "Village"),
    "col.last_assessed": ("最近评估日期", "Last assessed"),
    "col.failed": ("未达标项目", "Failed criteria"),
    "col.gap_start": ("空档开始", "Gap from"),
    "col.gap_end": ("空档结束", "Gap until"),
    "col.hours": ("小时数", "Hours"),
    "col.shortfall": ("缺员人数", "Short by"),
    "col.households": ("户数", "Households"),
    "col.visited": ("走访户数", "Visited"),
    "col.visit_rate": ("走访率", "Visit rate"),
    "col.reason": ("原因", "Reason"),
    "col.members": ("党员数", "Members"),
    "col.indicator": ("指标", "Indicator"),
    "col.value": ("数值", "Value"),

    # --- branches page
    "branches.none": ("{township}没有边境村组党支部，本页没有可显示的数据。",
                      "{township} has no border village-group party branches: nothing to show here."),
    "branches.tile_model": ("示范党组织", "Model branches"),
    "branches.model_value": ("{n} 个", "{n}"),
    "branches.tile_links": ("“4+N”全覆盖挂联", "“4+N” link coverage"),
    "branches.links_help": ("“4+N”：县级领导、挂包单位、乡（镇）领导班子、驻村工作队四方均已挂联的党支部所占比例。",
                            "“4+N”: share of branches linked to all four of a county leader, a sponsor"
                            " unit, the township team and a village work team."),
    "branches.model_of": ("共 {total} 个党支部", "of {total} branches"),
    "branches.links_detail": ("县级领导、挂包单位、乡镇班子、驻村工作队", "County leader, unit, township, village team"),
    "branches.compliant_detail": ("达标率 {rate}，未达标 {n} 个", "{rate} up to standard; {n} not"),
    "branches.trend": ("达标率变化（标准化规范化建设）", "Compliance rate over time"),
    "branches.trend_caption": ("自首次评估以来每周的达标率；党支部以截至当周最近一次评估为准，虚线为目标。",
                               "Each week since the first assessment; a branch counts by its latest"
                               " assessment up to that week. Dotted line: the target."),
    "branches.trend_empty": ("截至本周尚无达标评估记录。", "No branch had been assessed by this week."),
    "branches.by_township": ("各乡镇达标情况", "Compliance by township"),
    "branches.failed_criteria": ("哪些评估项目未达标", "Criteria failed most"),
    "branches.failed_caption": ("各评估项目未达标的党支部数（按各党支部最近一次评估）",
                                "Branches failing each criterion in their latest assessment"),
    "branches.never_detail": ("（其中 {n} 个从未评估）", " ({n} never assessed)"),
    "branches.axis_branches": ("党支部数", "Branches"),
    "branches.noncompliant": ("未达标党支部名单", "Branches not up to standard"),
    "branches.all_compliant": ("截至本周，全部 {n} 个党支部均已达标。",
                               "All {n} branches are up to standard this week."),
    "branches.file_noncompliant": ("未达标党支部名单", "branches_not_up_to_standard"),
    "branches.map": ("党支部分布与达标状态", "Branches along the border, by status"),
    "branches.legend_item": ("{status} {n} 个", "{status}: {n}"),
    "branches.map_tooltip": ("{name}\n{township} · {status}{model}\n{failed}",
                             "{name}\n{township} · {status}{model}\n{failed}"),
    "branches.status.compliant": ("达标", "Up to standard"),
    "branches.status.noncompliant": ("未达标", "Not up to standard"),
    "branches.status.never": ("从未评估", "Never assessed"),
    "branches.model_mark": (" · 示范党组织", " · model branch"),
    "branches.models": ("示范党组织名单", "Model branches"),
    "branches.models_caption": ("共 {n} 个党支部被评为示范党组织。", "{n} branches are rated model branches."),
    "branches.models_none": ("本范围内没有示范党组织。", "No model branches in this scope."),
    "branches.file_models": ("示范党组织名单", "model_branches"),
    "branches.col.code": ("党支部代码", "Branch code"),
    "branches.col.on_border": ("是否抵边", "On the border line"),
    "branches.col.status": ("本周状态", "Status this week"),

    # --- training page
    "training.none": ("{township}本年度截至本周没有培训宣讲记录。",
                      "{township} has no training or outreach recorded this year up to this week."),
    "training.tile_sessions": ("培训宣讲期（场）次", "Sessions held"),
    "training.tile_attendees": ("参加人次", "Person-times"),
    "training.tile_people": ("参训党员（人，不重复计）", "Members trained (people, each once)"),
    "training.activities_detail": ("本年度累计，共 {n} 项活动", "Year to date, {n} activities"),
    "training.attendees_detail": ("本年度累计，一人参加多次计多人次", "Year to date; one person attending twice counts twice"),
    "training.no_attendance": ("未载入参训记录", "No attendance loaded"),
    "training.no_attendance_detail": ("载入参训记录（参训名单）后才能统计人数，人次见左。",
                                      "People can be counted once attendance lists are loaded;"
                                      " see person-times."),
    "training.no_attendance_here": ("本范围本年度的活动尚无参训记录。",
                                    "No attendance list covers this scope's activities this year."),
    "training.people_detail": ("据 {n} 项活动的参训记录（{records} 人次）",
                               "From the attendance lists of {n} activities ({records} person-times)"),
    "training.progress_sessions": ("各类别期（场）次对照年度目标", "Sessions by kind vs the year's target"),
    "training.progress_attendees": ("各类别参加人次对照年度目标", "Person-times by kind vs the year's target"),
    "training.county_note": ("县级活动（如“万名党员进党校”培训班）只计入全县，不计入乡镇。",
                             "County-level activities (e.g. the party-school classes) count only for"
                             " the whole county, not for a township."),
    "training.measure": ("统计口径", "Measure"),
    "training.measure.sessions": ("期（场）次", "Sessions"),
    "training.measure.attendees": ("人次", "Person-times"),
    "training.progress_legend": ("绿色：已完成年度目标；橙色：尚未完成；灰色：未设年度目标（浅色底条为目标值）。",
                                 "Green: the year's target is met; amber: not yet; grey: no target"
                                 " for the year (the pale bar is the target)."),
    "training.by_month": ("按月开展情况", "By month"),
    "training.by_township": ("按乡镇开展情况", "By township"),
    "training.county_level": ("县级", "County level"),
    "training.activities": ("本年度活动清单", "This year's activities"),
    "training.activities_caption": ("{n} 项活动，截至本周，按日期从近到远。",
                                    "{n} activities up to this week, newest first."),
    "training.file_activities": ("培训宣讲活动清单", "training_activities"),
    "training.col.date": ("日期", "Date"),
    "training.col.kind": ("类别", "Kind"),
    "training.col.title": ("主题", "Title"),
    "training.col.sessions": ("期数场次", "Sessions"),
    "training.col.attendees": ("参加人次", "Person-times"),
    "training.col.records": ("参训记录（人）", "Attendance listed (people)"),
    "training.col.code": ("活动编号", "Activity code"),

    # --- kiosk: the meeting screen (views/kiosk.py) and its presenter page (views/presenter.py)
    "kiosk.brand": ("孟连县边境党建 · 周例会", "Menglian border party building · weekly meeting"),
    "kiosk.week": ("数据周 {week}", "Data week {week}"),
    "kiosk.version": ("数据版本 {version}", "Data version {version}"),
    "kiosk.refreshed": ("刷新 {time}", "Refreshed {time}"),
    "kiosk.paused": ("已暂停", "Paused"),
    "kiosk.open_mode": ("演示模式", "Demo mode"),
    "kiosk.on_target": ("达标 · 目标 {target}", "On target · target {target}"),
    "kiosk.below_target": ("未达标 · 目标 {target}", "Below target · target {target}"),
    "kiosk.slide_failed": ("本页暂时无法显示", "This slide cannot be shown right now"),
    "kiosk.compliance": ("边境村组党支部达标", "Branches up to standard"),
    "kiosk.unstaffed": ("无党员包保", "Unstaffed"),
    "kiosk.visit_rate": ("入户走访率", "Household visits"),
    "kiosk.reporting_rate": ("网格周报报送率", "Grids reporting"),
    "kiosk.grids_attention": ("需关注网格", "Grids needing attention"),
    "kiosk.grids_of": ("共 {total} 个网格", "of {total} grids"),
    "kiosk.branches_failing": ("未达标党支部", "Branches not up to standard"),
    "kiosk.cp_gaps": ("值守空档", "Staffing gaps"),
    "kiosk.cp_gaps_value": ("{n} 处", "{n}"),
    "kiosk.cp_gaps_hours": ("共 {hours} 小时", "{hours} hours in all"),
    "kiosk.cp_worst": ("空档最多的卡点", "Checkpoints with most gaps"),
    "kiosk.cp_persons": ("本周测温扫码", "Persons checked this week"),
    "kiosk.training_sessions": ("培训宣讲期（场）次", "Training sessions"),
    "kiosk.training_attendees": ("参加人次", "Person-times"),
    "kiosk.year_to_date": ("年度累计", "Year to date"),
    "kiosk.training_kinds": ("各类别期（场）次对照年度目标", "Sessions by kind vs the year's target"),
    "kiosk.by_township": ("各乡镇达标情况", "By township"),
    "kiosk.trend": ("达标率变化", "Compliance over time"),
    "kiosk.bad_slides": ("链接中的幻灯片「{value}」不存在，已忽略。",
                         "Slide “{value}” in the link does not exist; left out."),
    "kiosk.bad_interval": ("链接中的轮播间隔「{value}」无效，已使用 {seconds} 秒。",
                           "Interval “{value}” in the link is not usable; using {seconds} s."),
    "kiosk.bad_screen": ("链接中的大屏名称「{value}」无效，已使用「main」。",
                         "Screen name “{value}” in the link is not valid; using “main”."),
    "presenter.intro": ("在此控制会议大屏：切换乡镇、暂停或继续轮播、跳到某一页。大屏在下一次刷新时（{seconds} 秒内）执行。",
                        "Steer the meeting screen from here: switch the township, pause or resume,"
                        " jump to a slide. The screen follows within {seconds} seconds."),
    "presenter.screen": ("大屏：{name}", "Screen: {name}"),
    "presenter.open_kiosk": ("在本浏览器打开此大屏", "Open this screen in this browser"),
    "presenter.kiosk_link": ("大屏链接（在会议室电脑的浏览器中全屏打开）：",
                             "The screen's link (open it full-screen on the meeting-room computer):"),
    "presenter.free": ("当前无人控制：大屏按其链接中的设置轮播。",
                       "Nobody steers this screen: it rotates as its link says."),
    "presenter.state": ("当前：{township} · {status} · {at} 由{by}设置",
                        "Now: {township} · {status} · set {at} by {by}"),
    "presenter.running": ("轮播中", "rotating"),
    "presenter.paused": ("已暂停", "paused"),
    "presenter.township": ("大屏显示的乡镇", "Township on the screen"),
    "presenter.as_link": ("按大屏链接中的设置", "As in the screen's link"),
    "presenter.pause": ("暂停轮播", "Pause"),
    "presenter.resume": ("继续轮播", "Resume"),
    "presenter.jump": ("跳到", "Show now"),
    "presenter.release": ("交还大屏（恢复链接设置）", "Release the screen (back to its link)"),
    "presenter.sent": ("已发送，大屏将在 {seconds} 秒内执行。", "Sent; the screen follows within {seconds} seconds."),
    "presenter.released": ("已交还，大屏恢复其链接中的设置。", "Released; the screen follows its link again."),
    "presenter.scoped": ("您的账号只能把大屏切换到本乡镇。", "Your account can show its own township only."),

    # --- maps (dashboard/charts/maps.py)
    "map.met": ("达标", "On target"),
    "map.met_at": ("达标（≥{target}）", "On target (≥{target})"),
    "map.close": ("接近目标", "Close to target"),
    "map.close_at": ("接近目标（{low}–{target}）", "Close ({low}–{target})"),
    "map.short": ("低于目标", "Below target"),
    "map.short_at": ("低于 {low}", "Below {low}"),
    "map.none": ("无数据", "No data"),
    "map.hint": ("滚轮缩放，拖动平移。", "Scroll to zoom, drag to pan."),

    # --- grids page
    "grids.headline": ("本周网格覆盖", "Grid coverage this week"),
    "grids.none_here": ("{township}没有社区网格（网格化管理覆盖{where}的 {n} 个社区）。",
                        "{township} has no community grids (grid management covers the {n}"
                        " communities of {where})."),
    "grids.none_loaded": ("尚未载入社区网格。", "No community grids have been loaded."),
    "grids.kpi.visit_rate": ("本周入户走访率", "Visit rate this week"),
    "grids.kpi.members": ("下沉党员报到", "Members reported"),
    "grids.all_communities": ("全部社区", "All communities"),
    "grids.all_zones": ("全部片区", "All zones"),
    "grids.map": ("网格地图（按本周走访率着色）", "Grid map, coloured by this week's visit rate"),
    "grids.map_hint": ("点击网格查看详情；滚轮缩放，拖动平移。",
                       "Click a grid to see its details; scroll to zoom, drag to pan."),
    "grids.in_view": ("显示 {n} 个网格", "{n} grids shown"),
    "grids.by_township": ("所选范围有 {n} 个网格，地图按乡镇汇总（每点一个乡镇，颜色为走访率）；"
                          "在侧栏选择乡镇可看到每个网格。",
                          "{n} grids in view: the map shows one dot per township, coloured by "
                          "its visit rate; choose a township in the sidebar to see every grid."),
    "grids.township_tooltip": ("{name}：{grids} 个网格，走访率 {rate}，有人包保 {staffed}，已报送 {reported}",
                               "{name}: {grids} grids, visit rate {rate}, staffed {staffed}, "
                               "reported {reported}"),
    "grids.pick_township": ("网格过多，请先在侧栏选择乡镇，再选择网格。",
                            "Too many grids to list: choose a township in the sidebar first, "
                            "then a grid."),
    "table.first_rows": ("显示最需关注的前 {n} 行（共 {total} 行）；下载可得全部。",
                         "Showing the first {n} rows, most serious first (of {total}); the "
                         "download has them all."),
    "grids.not_reported": ("本周未报送", "No report this week"),
    "grids.unstaffed": ("无党员包保（紫色粗边框）", "No member assigned (thick purple outline)"),
    "grids.detail": ("网格详情", "Grid details"),
    "grids.pick": ("网格", "Grid"),
    "grids.pick_none": ("在地图上点击网格，或在此选择", "Click a grid on the map, or choose one here"),
    "grids.history": ("近{n}周走访率", "Visit rate, last {n} weeks"),
    "grids.history_none": ("该网格近期没有走访记录。", "This grid has no recent visit records."),
    "grids.table": ("网格一览", "Grids in view"),
    "grids.attention": ("需关注的网格：{n} 个", "Grids needing attention: {n}"),
    "grids.attention_none": ("所选网格本周均已报送、有人包保、走访达标。",
                             "Every grid shown reported this week, has a member assigned and"
                             " met the visit target."),
    "grids.tooltip": ("{name}\n{zone}\n走访率 {rate}（{visited} / {households} 户）\n党员 {members} 人 · {status}",
                      "{name}\n{zone}\nVisit rate {rate} ({visited} of {households} households)\n"
                      "{members} members · {status}"),
    "grids.status.met": ("达标", "On target"),
    "grids.status.close": ("接近目标", "Close to target"),
    "grids.status.short": ("低于目标", "Below target"),
    "grids.status.none": ("本周未报送", "No report"),
    "grids.status.unstaffed": ("无党员包保", "no member assigned"),
    "grids.week": ("周", "Week"),
    "grids.target_line": ("目标 {target}", "Target {target}"),
    "col.unit": ("包保单位", "Unit in charge"),
    "col.leader": ("片长职务", "Zone leader"),
    "col.residents": ("人口数", "Residents"),
    "col.reported": ("本周已报送", "Reported"),
    "col.status": ("状态", "Status"),
    "col.grid_id": ("网格代码", "Grid code"),

    # --- checkpoints page
    "cp.headline": ("本周卡点值守", "Checkpoint duty this week"),
    "cp.none_here": ("{township}没有卡点（卡点设在{where}）。",
                     "{township} has no checkpoints (the checkpoints are in {where})."),
    "cp.none_loaded": ("尚未载入卡点。", "No checkpoints have been loaded."),
    "cp.kpi.coverage": ("24小时值守覆盖率", "24 h coverage"),
    "cp.kpi.staffed_slots": ("值守到位时段", "Hour slots staffed"),
    "cp.kpi.staff_hours": ("值守人员工时", "Staff hours on duty"),
    "cp.kpi.party_share": ("党员干部工时占比", "Party cadres' share of hours"),
    "cp.kpi.persons_checked": ("测温扫码人次", "Persons checked"),
    "cp.kpi.gaps": ("{n} 处空档，共 {hours} 小时", "{n} gaps, {hours} hours in all"),
    "cp.kpi.no_gaps": ("没有空档", "No gaps"),
    "cp.kpi.per_day": ("日均 {n} 人次", "{n} a day on average"),
    "cp.kpi.party_hours": ("党员干部 {hours} 小时", "Party cadres: {hours} hours"),
    "cp.heatmap": ("逐小时值守（缺口多的卡点在上）", "Hour by hour (checkpoints with most gaps first)"),
    "cp.show_all": ("显示全部卡点", "Show all checkpoints"),
    "cp.showing_gaps": ("显示有空档的 {n} 个卡点（共 {total} 个）。",
                        "Showing the {n} checkpoints with gaps (of {total})."),
    "cp.showing_all": ("显示全部 {total} 个卡点。", "Showing all {total} checkpoints."),
    "cp.showing_worst": ("显示覆盖最差的 {n} 个卡点（{which}共 {of} 个）；全部空档见下方空档清单。",
                         "Showing the {n} worst covered of {of} checkpoints{which}; the gap list "
                         "below has every gap."),
    "cp.which_gaps": ("有空档的", " with gaps"),
    "cp.map_gaps_only": ("卡点过多（{total} 个），地图只显示有空档的 {n} 个",
                         "{total} checkpoints are too many to show: the map shows the {n} with gaps"),
    "cp.no_gaps": ("本周所有卡点全时段值守到位。", "Every checkpoint was fully staffed all week."),
    "cp.state.staffed": ("值守到位", "Staffed"),
    "cp.state.short": ("人员不足", "Short-staffed"),
    "cp.state.empty": ("无人值守", "Nobody on duty"),
    "cp.hover": ("{name}<br>{day} {start}–{end}<br>在岗 {staff} 人，需 {required} 人",
                 "{name}<br>{day} {start}–{end}<br>{staff} on duty, {required} needed"),
    "cp.gaps": ("值守空档", "Staffing gaps"),
    "cp.gaps_none": ("本周没有值守空档。", "No staffing gaps this week."),
    "cp.composition": ("值守力量构成（人员工时）", "Who was on duty (staff hours)"),
    "cp.kind.party": ("党员干部", "Party cadres"),
    "cp.kind.unit": ("单位网格员", "Unit grid staff"),
    "cp.kind.volunteer": ("志愿者", "Volunteers"),
    "cp.total_hours": ("共 {hours}<br>小时", "{hours}<br>hours"),
    "cp.checked_daily": ("每日测温扫码人次", "Persons checked per day"),
    "cp.map": ("卡点分布（按本周值守覆盖率着色）", "Checkpoints, coloured by this week's coverage"),
    "cp.tooltip": ("{name}\n覆盖率 {rate}（{staffed} / 168 小时）\n空档 {gap} 小时",
                   "{name}\nCoverage {rate} ({staffed} of 168 hours)\nGaps: {gap} hours"),
    "cp.weekday.0": ("周一", "Mon"),
    "cp.weekday.1": ("周二", "Tue"),
    "cp.weekday.2": ("周三", "Wed"),
    "cp.weekday.3": ("周四", "Thu"),
    "cp.weekday.4": ("周五", "Fri"),
    "cp.weekday.5": ("周六", "Sat"),
    "cp.weekday.6": ("周日", "Sun"),

    # --- weekly briefing PDF (dashboard/report.py)
    "report.title": ("孟连县边境党建工作周报", "Menglian Border Party-Building Weekly Briefing"),
    "report.scope": ("范围：{scope}", "Scope: {scope}"),
    "report.version": ("数据版本 {version}（{at} 载入）", "Data version {version} (loaded {at})"),
    "report.version_pinned": ("，已标记为「{label}」", ", pinned as “{label}”"),
    "report.generated": ("生成于 {at}", "Generated {at}"),
    "report.base_meeting": ("“较上次例会”的对比基准：版本 {version}「{label}」，数据周 {week}。",
                            "“Since last meeting” compares with version {version} “{label}”,"
                            " data week {week}."),
    "report.base_week": ("尚未标记例会快照，“变化”为较上周（{week}）。",
                         "No meeting has been pinned yet; the change is against the week before ({week})."),
    "report.kpi": ("主要指标", "Key figures"),
    "report.col.metric": ("指标", "Figure"),
    "report.col.value": ("本周", "This week"),
    "report.col.target": ("目标", "Target"),
    "report.col.status": ("状态", "Status"),
    "report.col.change_meeting": ("较上次例会", "Since last meeting"),
    "report.col.change_week": ("较上周", "Vs week before"),
    "report.status.done": ("已完成", "Done"),
    "report.status.share": ("完成{share}", "{share} done"),
    "report.same": ("持平", "no change"),
    "report.kpi.links": ("“4+N”挂联覆盖率", "“4+N” link coverage"),
    "report.kpi.sessions": ("培训宣讲期（场）次（年度累计）", "Training sessions (year to date)"),
    "report.kpi.attendees": ("培训宣讲参加人次（年度累计）", "Training person-times (year to date)"),
    "report.training": ("培训宣讲（年度累计，对照年度目标）", "Training and outreach, year to date vs the year's target"),
    "report.col.kind": ("类别", "Kind"),
    "report.col.sessions": ("期（场）次", "Sessions"),
    "report.col.attendees": ("参加人次", "Person-times"),
    "report.col.total": ("合计", "Total"),
    "report.no_grids": ("本范围没有社区网格，网格与下沉党员指标从略。",
                        "No community grids in this scope: grid and member figures are left out."),
    "report.no_checkpoints": ("本范围没有卡点，值守指标从略。",
                              "No checkpoints in this scope: checkpoint figures are left out."),
    "report.no_branches": ("本范围没有边境村组党支部，达标指标从略。",
                           "No border branches in this scope: compliance figures are left out."),
    "report.briefs": ("工作简报", "Briefing notes"),
    "report.attention": ("需要关注的事项", "Needs attention"),
    "report.more": ("…及其他{n}项", "… and {n} more"),
    "report.none_branches": ("截至本周，全部 {n} 个边境村组党支部均已达标。",
                             "All {n} border branches are up to standard this week."),
    "report.none_gaps": ("本周所有卡点全时段值守到位，没有值守空档。",
                         "Every checkpoint was fully staffed all week: no gaps."),
    "report.none_grids": ("本周所有网格均已报送、有党员包保、走访率达到目标。",
                          "Every grid reported, has a member assigned and met the visit target this week."),
    "report.charts": ("图表", "Charts"),
    "report.chart.trend": ("近12周达标率、走访率与卡点值守覆盖率", "Compliance, visits and checkpoint coverage, last 12 weeks"),
    "report.chart.gaps": ("有值守空档的卡点（逐小时）", "Checkpoints with gaps, hour by hour"),
    "report.chart.map": ("边境村组党支部与卡点分布（按本周状态着色）",
                         "Border branches and checkpoints, coloured by this week's status"),
    "report.map.branch": ("党支部：{status}", "Branch: {status}"),
    "report.map.cp_ok": ("卡点：全时段值守", "Checkpoint: fully staffed"),
    "report.map.cp_gap": ("卡点：有值守空档", "Checkpoint: staffing gaps"),
    "report.empty": ("尚未载入任何数据，无法生成周报。", "No data has been loaded yet: there is nothing to report."),
    "report.unit.party_school": ("期", ""),
    "report.unit.border_training": ("期", ""),
    "report.unit.party_lecture": ("场", ""),
    "report.unit.outreach": ("场", ""),
    "report.unit.fireside_school": ("期", ""),
    "report.unit.theme_day": ("次", ""),

    # --- briefing sentences, written from the figures by rules (report.township_brief)
    "brief.county": ("全县", "The county"),
    "brief.no_data": ("本周暂无报送数据。", "Nothing was reported for this week."),
    "brief.base_meeting": ("上次例会", "since the last meeting"),
    "brief.base_week": ("上周", "on the week before"),
    "brief.up": ("，较{base}提高{pts}个百分点", ", up {pts} pts {base}"),
    "brief.down": ("，较{base}下降{pts}个百分点", ", down {pts} pts {base}"),
    "brief.same": ("，与{base}持平", ", unchanged {base}"),
    "brief.more": ("，较{base}增加{n}个", ", {n} more {base}"),
    "brief.fewer": ("，较{base}减少{n}个", ", {n} fewer {base}"),
    "brief.branches_all": ("边境村组党支部{total}个，全部达标（达标率{rate}）{change}",
                           "All {total} border branches are up to standard ({rate}){change}"),
    "brief.branches": ("边境村组党支部{total}个，达标{compliant}个，达标率{rate}{change}",
                       "{compliant} of {total} border branches are up to standard ({rate}){change}"),
    "brief.branches_failed": ("{n}个党支部未达标，未达标项目为{items}",
                              "{n} are not, failing {items}"),
    "brief.branches_never": ("{n}个党支部尚未评估", "{n} have never been assessed"),
    "brief.item_count": ("{item}（{n}个）", "{item} ({n})"),
    "brief.model_links": ("示范党组织{model}个，“4+N”挂联覆盖率{links}",
                          "model branches: {model}; “4+N” link coverage: {links}"),
    "brief.grids": ("网格{total}个，{staffed}个有党员包保；本周入户走访{visited}户，走访率{rate}{change}",
                    "Of {total} grids, {staffed} have a member assigned; {visited} households were"
                    " visited this week, a visit rate of {rate}{change}"),
    "brief.grids_not_reported": ("{n}个网格本周未报送", "{n} grids did not report"),
    "brief.grids_unstaffed": ("{n}个网格无党员包保", "{n} grids have no member assigned"),
    "brief.grids_below": ("{n}个网格走访率低于目标（{target}）", "{n} grids were visited below the {target} target"),
    "brief.grids_ok": ("各网格均已报送、走访达标", "every grid reported and met the visit target"),
    "brief.checkpoints": ("卡点{total}个，本周卡点24小时值守覆盖率{rate}{change}",
                          "At its {total} checkpoints, 24 h coverage was {rate} this week{change}"),
    "brief.cp_gaps": ("仍有{n}个卡点存在值守空档（{gaps}处，共{hours}小时）",
                      "{n} checkpoints still had staffing gaps ({gaps} gaps, {hours} hours in all)"),
    "brief.cp_night": ("其中{n}个卡点存在夜间（22时至次日6时）值守空档", "{n} of them at night (22:00–06:00)"),
    "brief.cp_empty": ("{n}个卡点出现无人值守时段", "{n} had hours with nobody on duty"),
    "brief.cp_ok": ("全部卡点全时段值守到位", "every checkpoint was fully staffed all week"),
    "brief.cp_checked": ("本周测温扫码{n}人次", "{n} persons were checked this week"),
    "brief.training": ("本年度累计开展培训宣讲{sessions}期（场）次、{attendees}人次，其中{items}",
                       "So far this year, {sessions} training and outreach sessions with {attendees}"
                       " person-times: {items}"),
    "brief.training_item": ("{kind}{n}{unit}", "{kind} {n}"),
    "brief.training_met": ("{kinds}已完成年度目标", "the year's target is met for {kinds}"),
    "brief.training_progress": ("年度目标完成进度：{items}", "progress to the year's target: {items}"),
    "brief.training_share": ("{kind}{share}", "{kind} {share}"),
    "brief.indicators": ("截至本周，{items}", "As of this week: {items}"),
    "brief.ind.vanguard_cadres": ("强边固防先锋队员{n}名", "{n} border vanguard cadres"),
    "brief.ind.cadres_promoted": ("提拔任用干部{n}名", "{n} cadres promoted"),
    "brief.ind.village_team_members": ("驻村工作队员{n}名", "{n} village work-team members"),
    "brief.ind.party_households": ("“共产党员户”挂牌{n}户", "{n} party-member households marked"),
    "brief.ind.materials_distributed": ("发放宣传资料{n}份", "{n} leaflets and posters distributed"),
    "brief.ind.waste_bins_added": ("新增医疗废弃物垃圾桶{n}个", "{n} medical-waste bins added"),
    "brief.ind.outreach_teams": ("组建宣讲团{n}支", "{n} outreach teams"),
}


def t(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def enum_label(enum: dict, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The label of a contract enum code (criterion, training kind, indicator, ...)."""
    if code is None:
        return "—"
    zh, en = enum.get(code, (code, code))
    return en if lang == "en" else zh


def column_label(table: str, column: str, lang: str = DEFAULT_LANG) -> str:
    """A contract column's label: its Chinese name, or the English name made readable."""
    c = contract.TABLES[table].column(column)
    return c.name.replace("_", " ").capitalize() if lang == "en" else c.zh


def place_name(name: str | None, name_en: str | None, lang: str) -> str:
    """A proper name in the current language (Chinese where no English name is known)."""
    if lang == "en" and name_en:
        return name_en
    return name or "—"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text) -> str:
    """Text from uploaded files (names) made literal for Streamlit markdown (st.info, st.caption,
    titles): no link, image, emphasis or formula can come from data."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def fmt_int(value, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{int(round(value)):,}"


def fmt_num(value, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_rate(value, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A rate 0..1 as a percentage; None (an empty scope) as "—", never 0% or 100%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def fmt_date(value, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if lang == "en":
        return value.strftime("%d %b %Y")
    return f"{value.year}年{value.month}月{value.day}日"


def fmt_week(week_start: dt.date, lang: str = DEFAULT_LANG) -> str:
    end = week_start + dt.timedelta(days=6)
    if lang == "en":
        return f"{week_start:%d %b} – {end:%d %b %Y}"
    return f"{week_start.month}月{week_start.day}日—{end.month}月{end.day}日（{week_start.year}）"
