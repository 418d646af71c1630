<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../../widgets/dispatch_panel.py" line="+766"/>
        <source>确认{action}</source>
        <extracomment>The order just acted on stays listed (and selected) until the selection moves. Columns hidden (in this order) when the title would get narrower than STRETCH_MIN: their words are in the row&apos;s tooltip and in the filters. The narrowest the stretching column (the event&apos;s title) gets, px.</extracomment>
        <translation>Confirm {action}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>原事件编号</source>
        <translation>ID of the original event</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>必填：写明原因</source>
        <translation>Required: say why</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>备注（可选）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>评价</source>
        <translation>Rating</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>重复于</source>
        <translation>Duplicate of</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>确认{action} (Enter)</source>
        <translation>Confirm {action} (Enter)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>取消 (Esc)</source>
        <translation>Cancel (Esc)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>请填写原事件编号</source>
        <translation>Enter the ID of the original event</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>请写明原因：{action}必须有原因</source>
        <translation>Please give a reason: {action} needs one</translation>
    </message>
</context>
<context>
    <name>AfterActionDialog</name>
    <message>
        <location filename="../../widgets/after_action.py" line="+295"/>
        <source>演练复盘报告</source>
        <translation>After-action report</translation>
    </message>
</context>
<context>
    <name>AfterActionView</name>
    <message>
        <location line="-193"/>
        <source>总分 / 100</source>
        <translation>Total score / 100</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>演练开始后（分钟）</source>
        <translation>Minutes after the start</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>演练复盘 · {title}</source>
        <translation>After-action review · {title}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{place} · 预案 {plan} · 截至 {as_of} · 注入 {injects} · 已派遣 {dispatched} · 部门 正确/错派/漏派 {right}/{wrong}/{missed} · 阶段 达标/超时/进行中 {met}/{late}/{pending}</source>
        <translation>{place} · plan {plan} · as of {as_of} · injects {injects} · dispatched {dispatched} · departments right/wrong/missed {right}/{wrong}/{missed} · stages met/late/pending {met}/{late}/{pending}</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>得分（派遣/部门/阶段）</source>
        <translation>Points (dispatch/depts/stages)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>分数</source>
        <translation>Score</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{stages}时限</source>
        <translation>{stages} deadline</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>派遣 ▲ 按时 / ✕ 超时</source>
        <translation>Dispatch ▲ on time / ✕ late</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>阶段 {status}</source>
        <translation>Stage {status}</translation>
    </message>
</context>
<context>
    <name>ArcGauge</name>
    <message>
        <location filename="../../widgets/gauge.py" line="+29"/>
        <source>报警</source>
        <extracomment>Shape and word of each status (never colour alone).</extracomment>
        <translation>Alarm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>预警</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <location line="+155"/>
        <source>→ 持平</source>
        <extracomment>The smallest text a gauge draws (px): readable across a room at 1080p. How many times the gauge was drawn (not blitted) — the cache at work.</extracomment>
        <translation>→ steady</translation>
    </message>
    <message>
        <location line="+212"/>
        <source>{wan:g}万</source>
        <translation>{k:g}k</translation>
    </message>
</context>
<context>
    <name>Clock</name>
    <message>
        <location filename="../../cockpit/clock.py" line="+43"/>
        <source>数据截至</source>
        <translation>Data ends</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>城市时间</source>
        <translation>City time</translation>
    </message>
</context>
<context>
    <name>DetailPanel</name>
    <message>
        <location filename="../../widgets/map_side.py" line="+196"/>
        <source>点击地图要素查看详情</source>
        <translation>Click a map feature for its details</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>一键调度</source>
        <translation>One-click dispatch</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>未找到该要素</source>
        <translation>Feature not found</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{name}（{level}级）</source>
        <translation>{name} (level {level})</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>位置</source>
        <translation>Position</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>传感器 {id} · {kind}</source>
        <translation>Sensor {id} · {kind}</translation>
    </message>
</context>
<context>
    <name>DispatchController</name>
    <message>
        <location filename="../../cockpit/controllers/dispatch.py" line="+329"/>
        <source>派遣库未打开：不能派遣</source>
        <extracomment>event -&gt; what a new order needs beside the plan (a levels store: area, owner) The level the lists name places at (区县 / 镇街): see queue.place_level. event id -&gt; the router&apos;s answer for the events it typed itself (自动分拨) The clock time of the last tick shown (events, orders). Hook: ``suggest_type(event row) -&gt; answer | None`` for an event without a type (the row carries ``title`` and ``description``), called off the GUI thread. The answer is a type id, or the router&apos;s ``{&quot;candidates&quot;: [{&quot;type_id&quot;, &quot;name&quot;, &quot;score&quot;}], &quot;auto&quot;: bool, &quot;reason&quot;: str}`` (:mod:`cockpit.controllers.triage`): ``auto`` routes the event at once (自动分拨), else the operator chooses among them. 自动派遣: a report whose level is this or lower (3: 一般 and 低) and whose type is known at once — the router&apos;s (自动分拨) or the sender&apos;s (a grid worker&apos;s app) — is dispatched to its plan&apos;s departments without the preview; None (the default here; the window takes the config&apos;s) leaves every one to the operator. reports waiting to go out by themselves: kept until they are listed (a report that arrives after the tick&apos;s moment is listed by the next tick) and then sent or dropped</extracomment>
        <translation>No dispatch store is open: dispatching is off</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{reason}（自动重连中）</source>
        <translation>{reason} (retrying)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>派遣库以只读方式打开：不能派遣</source>
        <translation>The dispatch store is open read-only: no dispatching</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>派遣库正被另一个程序使用：本窗口只能查看，不能派遣；多个席位请共用 PostgreSQL 派遣库</source>
        <translation>The dispatch store is in use by another program: this window can only show, not dispatch; for several seats share a PostgreSQL dispatch store</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>派遣库启动时有一部分记录未能恢复，已另存备查；请通知管理员</source>
        <translation>Part of the dispatch store&apos;s records could not be recovered at start and was set aside; tell the administrator</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>派遣库只能读取，不能写入：不能派遣</source>
        <translation>The dispatch store can be read but not written: no dispatching</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>派遣库服务器连接不上：不能派遣</source>
        <translation>The dispatch store&apos;s server cannot be reached: no dispatching</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣库无法打开：不能派遣（详情已记入日志）</source>
        <translation>The dispatch store cannot be opened: no dispatching (details in the log)</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>智能分拨已就绪：{n} 件待分拨事件已自动分拨</source>
        <translation>Routing is ready: {n} waiting events were routed automatically</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>自动派遣 · 自动分拨 {type}{score}</source>
        <translation>Auto-dispatched · routed automatically as {type}{score}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>自动派遣 · 上报类型 {type}</source>
        <translation>Auto-dispatched · filed by the sender as {type}</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>自动派遣 · {n} 件一般/低级别事件已按预案派往部门</source>
        <translation>Auto-dispatched · {n} routine events sent to their plan&apos;s departments</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+34"/>
        <source>只读，不能派遣：{reason}</source>
        <translation>Read-only, cannot dispatch: {reason}</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>风险点 {name} 当前没有事件可派遣</source>
        <translation>Risk point {name} has no event to dispatch</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>没有可派遣的事件</source>
        <translation>Nothing to dispatch</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>正在生成事件 {event} 的派遣预案…</source>
        <translation>Preparing the plan for event {event}…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+564"/>
        <source>预案生成失败：{error}</source>
        <translation>Could not prepare the plan: {error}</translation>
    </message>
    <message>
        <location line="-528"/>
        <source>只读，不能操作工单：{reason}</source>
        <translation>Read-only, orders cannot be changed: {reason}</translation>
    </message>
    <message>
        <location line="+166"/>
        <source>事件 {event}</source>
        <translation>Event {event}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>刷新失败：{error}</source>
        <translation>Refresh failed: {error}</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>事件源问题 {n} 条（已跳过）：{last}</source>
        <translation>{n} event feed problem(s) (skipped): {last}</translation>
    </message>
    <message>
        <location line="+109"/>
        <source>⚠ {n} 个工单已超时</source>
        <extracomment>The queue&apos;s counts (the header&apos;s, the filters&apos;, ``cockpit queue``&apos;s).</extracomment>
        <translation>⚠ {n} order(s) overdue</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>⚠ 又有 {n} 个工单超时</source>
        <translation>⚠ {n} more order(s) overdue</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>⚠ 工单超时：{dept} {action}超时 · {event}（{order}）</source>
        <translation>⚠ Order overdue: {dept} {action} late · {event} ({order})</translation>
    </message>
    <message>
        <location line="+260"/>
        <source>纠正未记录：{error}</source>
        <translation>Correction not recorded: {error}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>自动分拨 · 事件 {event} → {type}（置信度 {score}）</source>
        <translation>Routed automatically · event {event} → {type} (confidence {score})</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>未派遣：{error}</source>
        <translation>Not dispatched: {error}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>已派遣 · 事件 {event} → {n} 个部门工单</source>
        <translation>Dispatched · event {event} → {n} department order(s)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{action}未记录：{error}</source>
        <translation>{action} not recorded: {error}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✓ {action}已记录 · {order}</source>
        <translation>✓ {action} recorded · {order}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>（重复请求，未重复写入）</source>
        <translation> (repeated request, not written twice)</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>派遣库已连接：{path}</source>
        <translation>Dispatch store connected: {path}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣库已连接</source>
        <translation>Dispatch store connected</translation>
    </message>
    <message>
        <location line="+28"/>
        <location line="+1"/>
        <source>派遣库已重新连接</source>
        <translation>Dispatch store reconnected</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>派遣库连接中断 — 显示 {t} 时的状态，拒绝写入（自动重连中…）</source>
        <translation>Dispatch store disconnected — showing the state as of {t}, writes refused (reconnecting…)</translation>
    </message>
</context>
<context>
    <name>DispatchPanel</name>
    <message>
        <location filename="../../widgets/dispatch_panel.py" line="+157"/>
        <source>派遣工单</source>
        <translation>Orders</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>未结</source>
        <translation>Open</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location line="-62"/>
        <location line="+72"/>
        <source>只看超时</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>值守队列 · 超时在前</source>
        <translation>Duty queue · overdue first</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>＋ 新建事件</source>
        <translation>＋ New report</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>来电登记：输入市民原话，智能分拨 (Ctrl+N)</source>
        <translation>Phone call: type the caller&apos;s words, routed automatically (Ctrl+N)</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>默认顺序</source>
        <translation>Default order</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>超时在前，再按级别、时限</source>
        <translation>Overdue first, then level, then deadline</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+168"/>
        <source>Enter / D 派遣预览 · X 不予派遣 · M 合并 · 点表头排序</source>
        <translation>Enter/D dispatch · X dismiss · M merge · click headers to sort</translation>
    </message>
    <message>
        <location line="-130"/>
        <source>全部来源</source>
        <translation>All origins</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>人工派遣</source>
        <translation>By operators</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>自动派遣</source>
        <translation>Auto-dispatched</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+503"/>
        <source>全部部门</source>
        <translation>All depts</translation>
    </message>
    <message>
        <location line="-388"/>
        <source>只读 · 不能派遣：{reason}</source>
        <translation>Read-only · cannot dispatch: {reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>只读：不能派遣</source>
        <translation>Read-only: cannot dispatch</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>只读：不能操作工单</source>
        <translation>Read-only: orders cannot be changed</translation>
    </message>
    <message>
        <location line="+112"/>
        <location line="+35"/>
        <source>只读，不能派遣：{reason}</source>
        <translation>Read-only, cannot dispatch: {reason}</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>请先选择一个工单</source>
        <translation>Select an order first</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>只读，不能操作工单：{reason}</source>
        <translation>Read-only, orders cannot be changed: {reason}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>无（已完结）</source>
        <translation>none (finished)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>工单{state}，不能{action}；下一步：{next}</source>
        <translation>Order is {state}: cannot {action}; next: {next}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{action} · {dept} · {event}
工单 {order}（{state}）</source>
        <translation>{action} · {dept} · {event}
Order {order} ({state})</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>请先选择一个事件</source>
        <translation>Select an event first</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>事件 {event} 不在待办队列中（{state}）</source>
        <translation>Event {event} is not in the queue ({state})</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{action} · 事件 {event}
{title}</source>
        <translation>{action} · event {event}
{title}</translation>
    </message>
    <message>
        <location line="+83"/>
        <source>派遣预览 (D)</source>
        <translation>Dispatch preview (D)</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>级别 ({n})</source>
        <translation>Level ({n})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>来源 ({n})</source>
        <translation>Source ({n})</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>镇街</source>
        <translation>Street</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>⚠ 工单超时 · {n} 部门</source>
        <translation>⚠ orders late · {n}</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>待办 &lt;b&gt;{waiting}&lt;/b&gt; · &lt;span style=&apos;color:{red}&apos;&gt;⚠ 超时 &lt;b&gt;{late}&lt;/b&gt;&lt;/span&gt; · 显示 {shown}</source>
        <translation>To do &lt;b&gt;{waiting}&lt;/b&gt; · &lt;span style=&apos;color:{red}&apos;&gt;⚠ overdue &lt;b&gt;{late}&lt;/b&gt;&lt;/span&gt; · shown {shown}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>未结 &lt;b&gt;{open}&lt;/b&gt; · &lt;span style=&apos;color:{red}&apos;&gt;⚠ 超时 &lt;b&gt;{late}&lt;/b&gt;&lt;/span&gt; · 显示 {shown}</source>
        <translation>Open &lt;b&gt;{open}&lt;/b&gt; · &lt;span style=&apos;color:{red}&apos;&gt;⚠ late &lt;b&gt;{late}&lt;/b&gt;&lt;/span&gt; · {shown} shown</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>选择工单查看时间线</source>
        <translation>Select an order to see its timeline</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>时限 {t}</source>
        <translation>due {t}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>无时限</source>
        <translation>no deadline</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>来源 {sources}</source>
        <translation>Source {sources}</translation>
    </message>
</context>
<context>
    <name>DispatchPreview</name>
    <message>
        <location filename="../../widgets/dispatch_preview.py" line="+154"/>
        <source>一键调度 · 派遣预览</source>
        <translation>One-click dispatch · preview</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>事件 {event}</source>
        <translation>Event {event}</translation>
    </message>
    <message>
        <location line="+30"/>
        <location line="+446"/>
        <source>默认处置流程</source>
        <translation>default procedure</translation>
    </message>
    <message>
        <location line="-445"/>
        <location line="+446"/>
        <source>预案 {plan} · {steps} 步 · {depts} 个部门</source>
        <translation>Plan: {plan} · {steps} step(s) · {depts} dept(s)</translation>
    </message>
    <message>
        <location line="-441"/>
        <source>步</source>
        <translation>Step</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>阶段</source>
        <translation>Stage</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>动作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>影响分析 · 半径 {r} km</source>
        <translation>Impact · radius {r} km</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+65"/>
        <location line="+24"/>
        <location line="+5"/>
        <location line="+50"/>
        <location line="+6"/>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <location line="-83"/>
        <source>镇街</source>
        <translation>Streets</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+4"/>
        <location line="+40"/>
        <location line="+61"/>
        <source>{n} 个：{names}</source>
        <translation>{n}: {names}</translation>
    </message>
    <message>
        <location line="-103"/>
        <source>半径内无；最近 {name} {km} km</source>
        <translation>none within the radius; nearest {name} {km} km</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>村社</source>
        <translation>Communities</translation>
    </message>
    <message>
        <location line="-67"/>
        <source>最近应急仓库</source>
        <translation>Nearest warehouse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>最近消防站</source>
        <translation>Nearest fire station</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>（▲重大 {n}）</source>
        <translation> (▲ major {n})</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>另 {n} 类 {rest} 个</source>
        <translation>{n} more categories, {rest} points</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>风险点 {n}</source>
        <translation>Risk points {n}</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>预计修复 {t}</source>
        <translation>Estimated repair {t}</translation>
    </message>
    <message>
        <location line="-94"/>
        <source>自动分拨 · {type} · 置信度 {score}</source>
        <translation>Routed automatically · {type} · confidence {score}</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>影响分析 · 排水管网上游回水</source>
        <translation>Impact · drainage network backing up upstream</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>影响分析 · {net}管网阀门隔离</source>
        <translation>Impact · {net} network valve isolation</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>预计疏通修复 {t}</source>
        <translation>Estimated clearing/repair {t}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>按管径与管材估算（演示假设）：DN&lt;600 3 小时，600–999 5 小时，≥1000 8 小时；PE、PVC 0.8、球墨铸铁 1.0、钢 1.1、灰口铸铁 1.2、混凝土 1.5 倍</source>
        <translation>Estimated from diameter and material (a demo assumption): DN&lt;600 3 h, 600–999 5 h, ≥1000 8 h; PE, PVC ×0.8, ductile iron ×1.0, steel ×1.1, grey cast iron ×1.2, concrete ×1.5</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>按管径与管材估算（演示假设）：DN&lt;300 4 小时，300–599 6 小时，600–999 10 小时，≥1000 16 小时；PE 0.8、球墨铸铁 1.0、钢 1.1、灰口铸铁 1.2、混凝土 1.5 倍；燃气另加 1 小时</source>
        <translation>Estimated from diameter and material (a demo assumption): DN&lt;300 4 h, 300–599 6 h, 600–999 10 h, ≥1000 16 h; PE 0.8, ductile iron 1.0, steel 1.1, grey cast iron 1.2, concrete 1.5 ×; gas 1 h more</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>预案处置阶段各步时限的最大值（部门并行处置）</source>
        <translation>The longest deadline of the plan&apos;s handling steps (departments work in parallel)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>按 Enter 确认派遣，Esc 取消</source>
        <translation>Enter to dispatch, Esc to cancel</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+188"/>
        <source>取消 Esc</source>
        <translation>Cancel Esc</translation>
    </message>
    <message>
        <location line="-184"/>
        <location line="+352"/>
        <source>确认派遣 {n} 个部门 · Enter</source>
        <translation>Dispatch to {n} dept(s) · Enter</translation>
    </message>
    <message>
        <location line="-281"/>
        <source>管段 {id}</source>
        <translation>pipe {id}</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>节点 {id}</source>
        <translation>node {id}</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>{y} 年</source>
        <translation>laid {y}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>距事件 {m} 米</source>
        <translation>{m} m from the event</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>爆管位置</source>
        <translation>Burst at</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+68"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="-66"/>
        <source>关闭阀门</source>
        <translation>Close valves</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} 个：{ids}</source>
        <translation>{n}: {ids}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>无阀门可关（需关停水源）</source>
        <translation>no valve to close (shut the source)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>关阀管段</source>
        <translation>Isolated</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} 根 · {km} km</source>
        <translation>{n} pipes · {km} km</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>连带失供</source>
        <translation>Cut off too</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} 根管段 · {km} km（关阀后与水源/气源断开）</source>
        <translation>{n} pipes · {km} km (no source once the valves are shut)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>停供村社</source>
        <translation>Communities out</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>停供人口</source>
        <translation>People out</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+61"/>
        <source>{hh} 户 · {pop} 人</source>
        <translation>{hh} households · {pop} people</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>（连带 {n}）</source>
        <translation> ({n} cut off)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> 等 {n} 处</source>
        <translation> and more, {n} in all</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>重点单位 {n}</source>
        <translation>Critical sites {n}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>检查井 {id}</source>
        <translation>Manhole {id}</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>堵塞位置</source>
        <translation>Blockage at</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>下游排放</source>
        <translation>Drains to</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>污水处理厂 {name}</source>
        <translation>Treatment plant {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>排放口 {name}</source>
        <translation>Outfall {name}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>不通向排放口</source>
        <translation>Reaches no outfall</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} 根管段 · {km} km · 检查井等 {k} 个</source>
        <translation>{n} pipes · {km} km · {k} manholes and other nodes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上游回水范围</source>
        <translation>Backing up upstream</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>无（上游另有排水出路）</source>
        <translation>None (upstream has another way down)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name}（回水区内）</source>
        <translation>{name} (in the backed-up area)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name}（下游来水中断）</source>
        <translation>{name} (downstream, inflow cut)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>受影响泵站</source>
        <translation>Pumping stations affected</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>受影响小区</source>
        <translation>Communities affected</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>受影响人口</source>
        <translation>People affected</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>回水风险</source>
        <translation>Backing-up risk</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>检查井冒水、道路内涝、污水倒灌入户</source>
        <translation>Manholes overflowing, streets waterlogged, sewage backing into homes</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>该事件没有事件类型，请选择类型后生成预案</source>
        <translation>This event has no event type: choose one to prepare its plan</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>智能分拨建议（待分拨）</source>
        <translation>Router&apos;s suggestions (awaiting routing)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>输入类型名称或编号筛选</source>
        <translation>Type a type&apos;s name or id to filter</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>选择类型后按 Enter 生成预案，Esc 取消</source>
        <translation>Choose a type, then Enter prepares the plan; Esc cancels</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>生成预案 · Enter</source>
        <translation>Prepare plan · Enter</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>请选择一个事件类型</source>
        <translation>Choose an event type</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>正在派遣…</source>
        <translation>Dispatching…</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>事件类型</source>
        <translation>Event type</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>增派部门</source>
        <translation>Add department</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>＋ 增派</source>
        <translation>＋ Add</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>取消勾选即不派该部门</source>
        <translation>Untick a department to leave it out</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>已派遣</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>派遣失败：{error}</source>
        <translation>Not dispatched: {error}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>重试 · Enter</source>
        <translation>Retry · Enter</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>关闭 Esc</source>
        <translation>Close Esc</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>正在写入，请稍候…</source>
        <translation>Writing, please wait…</translation>
    </message>
</context>
<context>
    <name>DomainTile</name>
    <message>
        <location filename="../../widgets/vitals_panel.py" line="+347"/>
        <source>{n} 项</source>
        <translation>{n} items</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>全部正常</source>
        <translation>all normal</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>无指标</source>
        <translation>no indicators</translation>
    </message>
</context>
<context>
    <name>DrillPicker</name>
    <message>
        <location filename="../../widgets/drill_picker.py" line="+62"/>
        <source>演练 · 复盘</source>
        <translation>Drill · replay</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>演练与复盘在独立窗口中运行：独立时钟、独立派遣库，绝不写入值守记录。</source>
        <translation>Drills and replays run in a window of their own: their own clock and dispatch store; they never write a live record.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{title}  ·  {n} 个注入  ·  {minutes} 分钟</source>
        <translation>{title}  ·  {n} injects  ·  {minutes} min</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>没有适用于本数据集的演练场景。可在数据集目录的 drills/ 文件夹中放入本中心的场景（见 README）。</source>
        <translation>No drill scenario fits this dataset. Put your centre&apos;s own scenarios in the drills/ folder of the dataset directory (see the README).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>另有 {n} 个场景不适用于本数据集（缺少所需的单位、事件类型或部门），未列出。</source>
        <translation>{n} more scenarios do not fit this dataset (units, event types or departments they need are missing) and are not listed.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>演练场景</source>
        <translation>Drill scenarios</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>从</source>
        <translation>From</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>到</source>
        <translation>To</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>复盘历史</source>
        <translation>Replay the past</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{title}  ·  演练时间 {clock}  ·  保存于 {saved}</source>
        <translation>{title}  ·  drill time {clock}  ·  saved {saved}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>继续保留的演练：已有的派遣与处置、演练时钟和得分都接着上次，记录仍只写入该次演练的演练库。</source>
        <translation>Continue a drill kept for later: its dispatches and actions, its clock and its score go on from where it stopped; records still go only to that drill&apos;s own store.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>继续演练</source>
        <translation>Continue a drill</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>开始</source>
        <translation>Start</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>地点：{place}</source>
        <translation>Place: {place}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>流程：{flow}</source>
        <translation>Stages: {flow}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>时限（分钟）：{targets}</source>
        <translation>Deadlines (min): {targets}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>预案：{plan}</source>
        <translation>Plan: {plan}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>（{n} 步）</source>
        <translation> ({n} steps)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应派部门 {n}</source>
        <translation>expected departments {n}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>数据覆盖 {first} — {last}</source>
        <translation>The data covers {first} — {last}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>“从”须早于“到”</source>
        <translation>“From” must be before “To”</translation>
    </message>
</context>
<context>
    <name>EventsModel</name>
    <message>
        <location filename="../../widgets/dispatch_panel.py" line="-1190"/>
        <source>⚠ 工单超时 · {n} 部门</source>
        <translation>⚠ Order overdue · {n} depts</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>✓ 已派遣 {n} 部门</source>
        <translation>✓ Dispatched {n} depts</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>类型 {type} · 事件 {event}
发生 {at} · {state}</source>
        <translation>Type {type} · event {event}
Occurred {at} · {state}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>来源 {source} · {place}</source>
        <translation>Source {source} · {place}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>原因：{note}</source>
        <translation>Reason: {note}</translation>
    </message>
</context>
<context>
    <name>ExerciseWatermark</name>
    <message>
        <location filename="../../widgets/exercise_watermark.py" line="+19"/>
        <source>演练 · EXERCISE</source>
        <translation>EXERCISE</translation>
    </message>
</context>
<context>
    <name>FiveColourModel</name>
    <message>
        <location filename="../../widgets/five_colour.py" line="+169"/>
        <source>{column}：点击排序</source>
        <translation>{column}: click to sort</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <location filename="../../widgets/header.py" line="+18"/>
        <source>值守</source>
        <translation>Live</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>晾晒</source>
        <translation>Review</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>演练</source>
        <translation>Drill</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>演示数据 · DEMO DATA（合成）</source>
        <translation>DEMO DATA (synthetic)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>运行数据为合成演示数据，地理为真实行政区划。</source>
        <translation>The operations data are synthetic; the geography is the real administrative division.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>本席位所属中心、角色和登录名（由数据库认定）</source>
        <translation>This seat&apos;s centre, role and login (as the database knows them)</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+54"/>
        <source>上下级</source>
        <translation>Levels</translation>
    </message>
    <message>
        <location line="-52"/>
        <source>上级下派、下级上报、督办与退回 (Ctrl+L)</source>
        <translation>Delegated from above, escalated from below, supervision and returns (Ctrl+L)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>值守模式 (F1)</source>
        <translation>Live mode (F1)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>晾晒模式 (F2)</source>
        <translation>Review mode (F2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>演练模式 (F3)</source>
        <translation>Drill mode (F3)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>城市时间</source>
        <translation>City time</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>上下级 {n}</source>
        <translation>Levels {n}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>▲ 报警 {alarms}  ◆ 预警 {warnings}</source>
        <translation>▲ Alarms {alarms}  ◆ Warnings {warnings}</translation>
    </message>
</context>
<context>
    <name>IndicatorDetail</name>
    <message>
        <location filename="../../widgets/vitals_panel.py" line="+534"/>
        <source>{name} · 正在读取趋势…</source>
        <translation>{name} · loading the trend…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>较1小时前</source>
        <translation>vs 1 hour ago</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>区县</source>
        <translation>District</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>领域</source>
        <translation>Domain</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>阈值</source>
        <translation>Thresholds</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>读数时间</source>
        <translation>Read at</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>近24小时</source>
        <translation>Last 24 h</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>▲ 报警 {n} 次</source>
        <translation>▲ alarm {n}×</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>◆ 预警 {n} 次</source>
        <translation>◆ warning {n}×</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>编号</source>
        <translation>ID</translation>
    </message>
</context>
<context>
    <name>IndicatorTable</name>
    <message>
        <location line="-223"/>
        <source>全部状态</source>
        <translation>All states</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>▲ 报警</source>
        <translation>▲ Alarm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>◆ 预警</source>
        <translation>◆ Warning</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>▲◆ 报警和预警</source>
        <translation>▲◆ Alarm and warning</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>● 正常</source>
        <translation>● Normal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>○ 无数据</source>
        <translation>○ No data</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>搜索指标名称或编号…</source>
        <translation>Search indicator name or ID…</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>全部领域</source>
        <translation>All domains</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>全部区县</source>
        <translation>All districts</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>显示 {shown} / {total} 项 · 点击表头排序 · 点击一行查看趋势</source>
        <translation>{shown} / {total} · header: sort · row: trend</translation>
    </message>
</context>
<context>
    <name>KpiBoardDialog</name>
    <message>
        <location filename="../../widgets/kpi_board.py" line="+231"/>
        <source>八大板块 · 指标明细</source>
        <translation>Eight boards · KPI details</translation>
    </message>
</context>
<context>
    <name>KpiBoardView</name>
    <message>
        <location line="-191"/>
        <source>全部跑道</source>
        <translation>All runways</translation>
    </message>
    <message>
        <location line="+120"/>
        <source>搜索指标名称、编号或跑道</source>
        <translation>Search KPI name, ID or runway</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>{board} · {period} · 指标 {n} 项</source>
        <translation>{board} · {period} · {n} KPIs</translation>
    </message>
</context>
<context>
    <name>KpiBreakdown</name>
    <message>
        <location filename="../../widgets/five_colour.py" line="+423"/>
        <source>点击五色图中的格子查看指标明细</source>
        <extracomment>Characters of a unit&apos;s name in a grid or table cell (the whole name in its tooltip).</extracomment>
        <translation>Click a cell of the five-colour grid for its breakdown</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>指标</source>
        <translation>KPI</translation>
    </message>
</context>
<context>
    <name>KpiTableModel</name>
    <message>
        <location filename="../../widgets/kpi_board.py" line="-151"/>
        <source>指标</source>
        <extracomment>(key, header, decimals or None for text)</extracomment>
        <translation>KPI</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>跑道</source>
        <translation>Runway</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>本季值</source>
        <translation>This quarter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>目标</source>
        <translation>Target</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>方向</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>得分</source>
        <translation>Score</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>较上季</source>
        <translation>Δ quarter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>得分变化</source>
        <translation>Δ score</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>越高越好 ↑</source>
        <translation>Higher ↑</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>越低越好 ↓</source>
        <translation>Lower ↓</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
</context>
<context>
    <name>LevelActionDialog</name>
    <message>
        <location filename="../../widgets/levels_panel.py" line="+183"/>
        <source>{action} · 工单 {order}</source>
        <translation>{action} · order {order}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>把工单交给上级中心承办，本中心仍可查看。</source>
        <translation>Hand the order to a centre above; this centre keeps seeing it.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>把工单交给下级中心承办，并限期完成。</source>
        <translation>Hand the order to a centre below, with a deadline.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>对下级中心的工单挂督办，限期办结，双方都会看到超时。</source>
        <translation>Supervise a lower centre&apos;s order with a deadline; both centres see it when it is overdue.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>把工单退回给上级或下级中心，须说明理由。</source>
        <translation>Return the order to a centre above or below, with a reason.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>承办中心</source>
        <translation>Centre taking it</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>理由（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>说明（可选）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>确认{action}</source>
        <translation>Confirm: {action}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>没有可选的中心。</source>
        <translation>No centre to choose.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>请填写理由。</source>
        <translation>Please give a reason.</translation>
    </message>
</context>
<context>
    <name>LevelsController</name>
    <message>
        <location filename="../../cockpit/controllers/levels.py" line="+32"/>
        <source>值班员</source>
        <translation>duty operator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>值班长</source>
        <translation>duty leader</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>观察员</source>
        <translation>observer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>培训员</source>
        <translation>trainer</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>未连接派遣库</source>
        <translation>No dispatch store</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{centre}中心 · {role} · {login}</source>
        <translation>{centre} centre · {role} · {login}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>共享派遣库 · {login}</source>
        <translation>Shared dispatch store · {login}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>单席位 · {centre} · {user}</source>
        <translation>Single seat · {centre} · {user}</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>下级上报</source>
        <translation>Escalated from below</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>上级下派</source>
        <translation>Delegated from above</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>工单退回</source>
        <translation>Order returned</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>上级督办</source>
        <translation>Supervised from above</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{what}：工单 {order}</source>
        <translation>{what}: order {order}</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>未记录：{error}</source>
        <translation>Not recorded: {error}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已记录：工单 {order} {action}</source>
        <translation>Recorded: order {order} {action}</translation>
    </message>
</context>
<context>
    <name>LevelsPanel</name>
    <message>
        <location filename="../../widgets/levels_panel.py" line="-164"/>
        <source>上下级 · 上报 下派 督办 退回</source>
        <translation>Levels · escalate, delegate, supervise, return</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>工单</source>
        <translation>Order</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>当前承办</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>没有待办：上级和下级都没有交来的事项。</source>
        <translation>Nothing waiting: no work from above or below.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>要操作的工单（选中表格中的一行，或输入工单号）</source>
        <translation>The order to act on (select a row, or type an order id)</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>下级上报</source>
        <translation>Escalated from below</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>上级下派</source>
        <translation>Delegated from above</translation>
    </message>
    <message>
        <location line="-87"/>
        <location line="+88"/>
        <source>退回</source>
        <translation>Return</translation>
    </message>
    <message>
        <location line="-91"/>
        <source>上报</source>
        <extracomment>action -&gt; (button text, needs a target centre, needs a deadline, needs a reason)</extracomment>
        <translation>Escalate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>下派</source>
        <translation>Delegate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>待签收</source>
        <extracomment>order states in the interface language</extracomment>
        <translation>Awaiting acknowledgement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已签收</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已核实</source>
        <translation>Confirmed</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已处置</source>
        <translation>Handled</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已核查</source>
        <translation>Verified</translation>
    </message>
    <message>
        <location line="+74"/>
        <source>上级督办</source>
        <translation>Supervised from above</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>督办下级</source>
        <translation>Supervising below</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> 已超时</source>
        <translation> overdue</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>事件 {event}</source>
        <translation>Event {event}</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>先选中或输入一个工单。</source>
        <translation>Select or type an order first.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../cockpit/window.py" line="+87"/>
        <source>应急仓库</source>
        <translation>Warehouses</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>消防站</source>
        <translation>Fire stations</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>医院</source>
        <translation>Hospitals</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>避难场所</source>
        <translation>Shelters</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>市</source>
        <extracomment>admin_unit levels (codes in the data) by their name on screen.</extracomment>
        <translation>city</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区县</source>
        <translation>district</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>镇街</source>
        <translation>street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>村社</source>
        <translation>community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格</source>
        <translation>grid</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>全市平均</source>
        <extracomment>&quot;the whole &lt;top unit&gt;&quot; in the board average&apos;s title, by the top unit&apos;s level.</extracomment>
        <translation>city average</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全区平均</source>
        <translation>district average</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全镇街平均</source>
        <translation>street average</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全村社平均</source>
        <translation>community average</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全网格平均</source>
        <translation>grid average</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>复盘 · REPLAY</source>
        <extracomment>Chinese source texts, shown translated (``QCoreApplication.translate(&quot;MainWindow&quot;, …)``).</extracomment>
        <translation>REPLAY</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>复盘模式只读：不派遣，不写入任何记录</source>
        <translation>Replay is read-only: nothing is dispatched or written</translation>
    </message>
    <message>
        <location line="+135"/>
        <location line="+149"/>
        <source>城市运行一屏统揽</source>
        <translation>City Operations Cockpit</translation>
    </message>
    <message>
        <location line="-87"/>
        <source>无实时接入 · 仅历史数据</source>
        <translation>No live feed · history only</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>八大板块</source>
        <translation>Eight boards</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>分</source>
        <translation>pts</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{board}：点击查看跑道与指标明细</source>
        <translation>{board}: click for its runways and KPIs</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>风险点 · 应急资源</source>
        <translation>Risk points · emergency resources</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>风险点</source>
        <translation>Risk points</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类别</source>
        <translation>Categories</translation>
    </message>
    <message>
        <location line="+222"/>
        <source>无法启动演练窗口</source>
        <extracomment>The splitters a mode&apos;s layout is made of (the review panel adds its own).</extracomment>
        <translation>Could not start the drill window</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>演练/复盘已在独立窗口启动：{what}</source>
        <translation>Drill/replay started in its own window: {what}</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>演练时间</source>
        <translation>Drill time</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+200"/>
        <source>演练 · {title}</source>
        <translation>Drill · {title}</translation>
    </message>
    <message>
        <location line="-158"/>
        <source>复盘 · {start} – {end}</source>
        <translation>Replay · {start} – {end}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>演练得分 {score} · 复盘报告：{path}</source>
        <translation>Drill score {score} · after-action report: {path}</translation>
    </message>
    <message>
        <location line="+114"/>
        <source>查询失败：{error}</source>
        <translation>Query failed: {error}</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>{city}城市运行一屏统揽</source>
        <translation>{city} City Operations Cockpit</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>数据集 {src} · {top} · 排名单位 {n} 个（{level}）· 查询 {ms} ms · 截至 {t}</source>
        <translation>Dataset {src} · {top} · {n} ranked units ({level}) · query {ms} ms · as of {t}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> · ⚠ 数据提示 {n} 条</source>
        <translation> · ⚠ {n} data warning(s)</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>全{unit}平均</source>
        <translation>{unit} average</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>八大板块 · {average} · {period}</source>
        <translation>Eight boards · {average} · {period}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{name}（{level}级）</source>
        <translation>{name} (level {level})</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>响应时限（事件类型中位数）：签收 {react} 分 · 核查 {verify} 分 · 处置 {handle} 分</source>
        <translation>Response targets (median of event types): acknowledge {react} min · verify {verify} min · handle {handle} min</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>上下级需要共享的三级派遣库（cockpit centre init）。</source>
        <translation>Levels need the shared three-level dispatch store (cockpit centre init).</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>已选择：{name}</source>
        <translation>Selected: {name}</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>关闭演练</source>
        <extracomment>The answer to closing a drill without asking (None: ask). Tests set it; a kiosk could.</extracomment>
        <translation>Close the drill</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>是否结束本次演练？</source>
        <translation>End this drill?</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>结束：评分并生成复盘报告。保留：保存演练进度，稍后可从演练列表继续或复盘。演练记录都保存在演练库中，不会写入实战派遣库。</source>
        <translation>End: score it and write the after-action report. Keep: save the drill as it is, to continue or review it later from the drill list. Either way its records stay in the drill store; nothing reaches the live dispatch store.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>结束演练</source>
        <translation>End the drill</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>保留，稍后继续</source>
        <translation>Keep for later</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MapSidePanel</name>
    <message>
        <location filename="../../widgets/map_side.py" line="+86"/>
        <source>区县</source>
        <translation>Districts</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{unit}着色：风险点数</source>
        <translation>Colour {unit}: risk points</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{unit}着色：五色评价</source>
        <translation>Colour {unit}: five colours</translation>
    </message>
</context>
<context>
    <name>OrdersModel</name>
    <message>
        <location filename="../../widgets/dispatch_panel.py" line="+112"/>
        <source>、</source>
        <extracomment>The place column&apos;s word (区县, 镇街 or 社区: the dataset&apos;s level below its top).</extracomment>
        <translation>, </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>工单 {order}</source>
        <translation>Order {order}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>派遣 {at}</source>
        <translation>Dispatched {at}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · 自动派遣</source>
        <translation> · auto-dispatched</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>下一步：{actions}</source>
        <translation>Next: {actions}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>逾期环节：{actions}</source>
        <translation>Late stages: {actions}</translation>
    </message>
</context>
<context>
    <name>RankingView</name>
    <message>
        <location filename="../../widgets/ranking.py" line="+181"/>
        <location line="+12"/>
        <source>季度</source>
        <translation>Quarter</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>与哪个季度对比</source>
        <translation>Quarter to compare with</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>对比</source>
        <translation>Compare</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+49"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>排名</source>
        <translation>Ranking</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>两季度对比</source>
        <translation>Two quarters</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>前五 · 后五</source>
        <translation>Top 5 · bottom 5</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{period} 名次</source>
        <translation>{period} rank</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{period} 总分</source>
        <translation>{period} total</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>名次变化</source>
        <translation>Rank change</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>分数变化</source>
        <translation>Score change</translation>
    </message>
</context>
<context>
    <name>ReplayBar</name>
    <message>
        <location filename="../../widgets/replay_bar.py" line="+100"/>
        <source>复盘</source>
        <extracomment>The speeds offered, simulated seconds per wall second.</extracomment>
        <translation>REPLAY</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>▶ 播放</source>
        <translation>▶ Play</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>‖ 暂停</source>
        <translation>‖ Pause</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>▶| 单步</source>
        <translation>▶| Step</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>播放（空格）</source>
        <translation>Play (Space)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>暂停（空格）</source>
        <translation>Pause (Space)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单步前进（→；← 后退）</source>
        <translation>Step forward (→; ← back)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>回放速度 {speed}×</source>
        <translation>Replay speed {speed}×</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>拖动跳转</source>
        <translation>Drag to seek</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>{date} · 模拟时间</source>
        <translation>{date} · simulated time</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>▶ 播放中</source>
        <translation>▶ playing</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>‖ 已暂停</source>
        <translation>‖ paused</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>演练  {state} · {speed}×</source>
        <translation>EXERCISE  {state} · {speed}×</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>复盘  {state} · {speed}×</source>
        <translation>REPLAY  {state} · {speed}×</translation>
    </message>
</context>
<context>
    <name>ReplayClock</name>
    <message>
        <location filename="../../cockpit/controllers/replay.py" line="+41"/>
        <source>复盘时间</source>
        <translation>Replay time</translation>
    </message>
</context>
<context>
    <name>ReportEntry</name>
    <message>
        <location filename="../../widgets/report_entry.py" line="+50"/>
        <source>新建事件 · 来电登记</source>
        <translation>New report · phone call</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>来电内容（市民原话）：</source>
        <translation>The caller&apos;s words:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>例如：解放碑这边路上井盖不见了，好危险</source>
        <translation>e.g. a manhole cover is missing near Jiefangbei, it&apos;s dangerous</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>分拨 (Ctrl+Enter)</source>
        <translation>Route (Ctrl+Enter)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>其他类型：</source>
        <translation>Other type:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>（按建议）</source>
        <translation>(as suggested)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>创建事件</source>
        <translation>Create event</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>分拨中…</source>
        <translation>Routing…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name}  ·  {score:.0%}</source>
        <translation>{name}  ·  {score:.0%}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>地点：{place}    紧急程度：{u}</source>
        <translation>Place: {place}    urgency: {u}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>未识别</source>
        <translation>not found</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>自动分拨：{name}</source>
        <translation>Routed automatically: {name}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>置信度不足</source>
        <translation>confidence too low</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>待分拨：{reason}，请选择事件类型</source>
        <translation>Waiting for the operator: {reason}; choose the event type</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>请先分拨并选择事件类型</source>
        <translation>Route the report and choose its type first</translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <location filename="../../cockpit/controllers/review.py" line="+440"/>
        <source>正在计算 …</source>
        <translation>Evaluating …</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+19"/>
        <source>正在导出 {name} …</source>
        <translation>Exporting {name} …</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>五色图 · 晾晒 — 无指标数据</source>
        <translation>Five-colour grid · review — no KPI data</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>数据集中没有指标值</source>
        <translation>The dataset has no KPI values</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>五色图 · 晾晒 {period}</source>
        <translation>Five-colour grid · review {period}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>名次变化对比 {previous}：↑ 上升 ↓ 下降 — 不变 新 上季度未排名；同分同名次（1、2、2、4）</source>
        <translation>Rank change vs {previous}: ↑ up ↓ down — same, new = not ranked last quarter; equal scores share a rank (1, 2, 2, 4)</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>名次变化 = {a} 名次 − {b} 名次</source>
        <translation>Rank change = {a} rank − {b} rank</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>计算 {ms} ms · 闭环处置：{source} · {mode}</source>
        <translation>Evaluated in {ms} ms · closed loop: {source} · {mode}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>失败：{error}</source>
        <translation>Failed: {error}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>已导出 {path}</source>
        <translation>Exported {path}</translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <location filename="../../widgets/review_panel.py" line="+77"/>
        <source>五色图 · 晾晒</source>
        <translation>Five-colour grid · review</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>分数段</source>
        <translation>Score bands</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按 eval_scheme 的分数阈值评色</source>
        <translation>Colour by the eval_scheme&apos;s score thresholds</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>名次五等分</source>
        <translation>Rank quintiles</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按名次五等分评色（晾晒）</source>
        <translation>Colour by rank quintiles (review)</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+163"/>
        <source>导出 PDF</source>
        <translation>Export PDF</translation>
    </message>
    <message>
        <location line="-161"/>
        <location line="+162"/>
        <source>导出 Excel</source>
        <translation>Export Excel</translation>
    </message>
    <message>
        <location line="-107"/>
        <source>五色图</source>
        <translation>Five-colour grid</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>排名</source>
        <translation>Ranking</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>明细</source>
        <translation>Breakdown</translation>
    </message>
</context>
<context>
    <name>SearchBox</name>
    <message>
        <location filename="../../widgets/map_side.py" line="-85"/>
        <source>搜索事件（编号或标题）、风险点、街道、社区</source>
        <translation>Search events (ID or title), risk points, streets, communities</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>无结果</source>
        <translation>No results</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>无结果：{text}</source>
        <translation>No results: {text}</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../widgets/settings_dialog.py" line="+32"/>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>以下设置写入配置文件，下次启动时生效。</source>
        <translation>These settings are written to the configuration file and take effect at the next start.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>中文</source>
        <translation>中文</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>默认：系统用户名</source>
        <translation>Default: the system user name</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>值班员（派遣记录署名）</source>
        <translation>Operator (signs the dispatch records)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>在按窗口大小自动缩放之上再乘以此系数</source>
        <translation>Multiplies the automatic scaling by window size</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>字号缩放</source>
        <translation>Font scale</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>内网瓦片地址 http://…/{z}/{x}/{y}.png 或 .mbtiles 文件</source>
        <translation>Intranet tile URL http://…/{z}/{x}/{y}.png or an .mbtiles file</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>底图</source>
        <translation>Base map</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>默认：数据目录中的 dispatch.duckdb；或 postgresql://…</source>
        <translation>Default: dispatch.duckdb in the data directory; or postgresql://…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣库</source>
        <translation>Dispatch store</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <location filename="../../widgets/shortcut_sheet.py" line="+74"/>
        <source>快捷键</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>区域</source>
        <translation>Area</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>按键</source>
        <translation>Keys</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>作用</source>
        <translation>Does</translation>
    </message>
</context>
<context>
    <name>StatusSummary</name>
    <message>
        <location filename="../../widgets/vitals_panel.py" line="-711"/>
        <source>体征指标</source>
        <translation>Indicators</translation>
    </message>
</context>
<context>
    <name>TrendChart</name>
    <message>
        <location filename="../../widgets/trend.py" line="+33"/>
        <source>预警下限</source>
        <extracomment>pyqtgraph symbol of the state a crossing enters.</extracomment>
        <translation>warning low</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>预警上限</source>
        <translation>warning high</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>报警下限</source>
        <translation>alarm low</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>报警上限</source>
        <translation>alarm high</translation>
    </message>
    <message>
        <location line="+250"/>
        <source>▲ 进入报警 {n}</source>
        <extracomment>(values with all-zero series as NaN, colour name), in drawing order How many series the last ``set_series`` drew, and over how many points.</extracomment>
        <translation>▲ into alarm {n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>◆ 进入预警 {n}</source>
        <translation>◆ into warning {n}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>● 恢复正常</source>
        <translation>● back to normal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>┆ 当前</source>
        <translation>┆ now</translation>
    </message>
</context>
<context>
    <name>TrendPlot</name>
    <message>
        <location filename="../../widgets/quarter_trend.py" line="+64"/>
        <source>全部单位平均</source>
        <translation>Mean of all units</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>本单位</source>
        <translation>This unit</translation>
    </message>
</context>
<context>
    <name>TriageController</name>
    <message>
        <location filename="../../cockpit/controllers/triage.py" line="+137"/>
        <source>分拨模型准备中（首次需训练，约一分钟）…</source>
        <translation>Preparing the router (the first time it trains, about a minute)…</translation>
    </message>
    <message>
        <location line="+43"/>
        <location line="+10"/>
        <source>智能分拨不可用：{error}</source>
        <translation>Routing unavailable: {error}</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>最高置信度 {s} 低于阈值 {t}</source>
        <translation>best score {s} is below the threshold {t}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>已登记事件 {event}：操作员改分拨为 {type}（已记入派遣日志）</source>
        <translation>Event {event} created: the operator routed it to {type} (logged in the dispatch log)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已登记事件 {event}：自动分拨 {type}</source>
        <translation>Event {event} created: routed automatically to {type}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已登记事件 {event}：人工分拨 {type}</source>
        <translation>Event {event} created: routed by the operator to {type}</translation>
    </message>
</context>
<context>
    <name>VitalsPanel</name>
    <message>
        <location filename="../../widgets/vitals_panel.py" line="+877"/>
        <source>‹ 返回</source>
        <translation>‹ Back</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+187"/>
        <source>城市体征</source>
        <translation>City vital signs</translation>
    </message>
    <message>
        <location line="-158"/>
        <source>曲线：近6小时各领域 &lt;span style=&apos;color:{warning}&apos;&gt;预警+报警&lt;/span&gt; 与 &lt;span style=&apos;color:{alarm}&apos;&gt;报警&lt;/span&gt; 指标数 · 点击领域看明细</source>
        <translation>Curves (6 h): &lt;span style=&apos;color:{warning}&apos;&gt;warning+alarm&lt;/span&gt; and &lt;span style=&apos;color:{alarm}&apos;&gt;alarm&lt;/span&gt; · click a domain</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>最需关注的指标 · 点击查看趋势</source>
        <translation>Indicators needing attention · click for the trend</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>截至 {t}</source>
        <translation>as of {t}</translation>
    </message>
    <message>
        <location line="+117"/>
        <source>城市体征 · 指标列表</source>
        <translation>Vital signs · table</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>城市体征 · 指标趋势</source>
        <translation>Vital signs · trend</translation>
    </message>
</context>
<context>
    <name>VitalsTableModel</name>
    <message>
        <location line="-744"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>指标</source>
        <translation>Indicator</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区县</source>
        <translation>District</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>当前值</source>
        <translation>Value</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>阈值（预 · 报）</source>
        <translation>Thresholds (warn · alarm)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>更新</source>
        <translation>Updated</translation>
    </message>
</context>
<context>
    <name>Wall</name>
    <message>
        <location filename="../../cockpit/wall.py" line="+66"/>
        <source>风险地图</source>
        <extracomment>Widgets a user edits or acts with; none of them is visible and enabled in kiosk mode. Input a kiosk swallows (the wall has no operator; a stray key must not dispatch). Proportions per focus: (left, map, right) across the top, (top, bottom) down the window, (events and orders, risk points) along the bottom. The vital-sign tiles need their height, so the dispatch focus also folds the KPI gauges away to give the event list the room.</extracomment>
        <translation>Risk map</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>城市体征</source>
        <translation>City vital signs</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>五色图 · 排名</source>
        <translation>Five-colour grid · ranking</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件与派遣</source>
        <translation>Events and dispatch</translation>
    </message>
    <message>
        <location line="+396"/>
        <source>设置 (Ctrl+,)</source>
        <translation>Settings (Ctrl+,)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>设置已保存，下次启动生效</source>
        <translation>Settings saved; they take effect at the next start</translation>
    </message>
</context>
<context>
    <name>WallController</name>
    <message>
        <location line="-226"/>
        <source>焦点</source>
        <translation>Focus</translation>
    </message>
</context>
<context>
    <name>WorstList</name>
    <message>
        <location filename="../../widgets/vitals_panel.py" line="-21"/>
        <source>● 全部指标正常</source>
        <translation>● All indicators normal</translation>
    </message>
</context>
<context>
    <name>after_action</name>
    <message>
        <location filename="../../widgets/after_action.py" line="-234"/>
        <source>签收</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>评价</source>
        <translation>Evaluate</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>✓ 达标</source>
        <translation>✓ met</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>✗ 超时</source>
        <translation>✗ late</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>… 进行中</source>
        <translation>… pending</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>注入</source>
        <translation>Inject</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣用时</source>
        <translation>Time to dispatch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>正确</source>
        <translation>Right</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>错派</source>
        <translation>Wrong</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>漏派</source>
        <translation>Missed</translation>
    </message>
</context>
<context>
    <name>alarm_source</name>
    <message>
        <location filename="../../cockpit/controllers/alarms.py" line="+28"/>
        <source>{name} {value} {unit} 超过报警上限 {threshold} {unit}</source>
        <translation>{name} {value} {unit} above the alarm limit {threshold} {unit}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} {value} {unit} 低于报警下限 {threshold} {unit}</source>
        <translation>{name} {value} {unit} below the alarm limit {threshold} {unit}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{name} 报警</source>
        <translation>{name} alarm</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../cockpit/app.py" line="+355"/>
        <source>另一个驾驶舱正在运行</source>
        <translation>Another cockpit is running</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>数据集 {data} 的驾驶舱已在运行（{host} 上的进程 {pid}）。请切换到该窗口，或先将其关闭。</source>
        <translation>A cockpit on {data} is already running (process {pid} on {host}). Switch to that window, or close it first.</translation>
    </message>
    <message>
        <location line="+305"/>
        <source>城市运行一屏统揽</source>
        <translation>City Operations Cockpit</translation>
    </message>
    <message>
        <location line="-288"/>
        <source>正在生成今日演示数据</source>
        <translation>Generating today&apos;s demo dataset</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>无法生成演示数据</source>
        <translation>Cannot write the demo data</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>写入 {path} 失败：{error}</source>
        <translation>Writing {path} failed: {error}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>数据集不存在</source>
        <translation>No such dataset</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{path} 不是一个目录。</source>
        <translation>{path} is not a directory.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>正在载入数据</source>
        <translation>Loading the dataset</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>数据集有问题</source>
        <translation>The dataset has problems</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>继续使用上一个数据集：{path}</source>
        <translation>The previous dataset stays in use: {path}</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>无法读取数据集</source>
        <translation>Cannot read the dataset</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>派遣库登录</source>
        <translation>Dispatch store login</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{url} 的密码：</source>
        <translation>Password for {url}:</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>底图文件无法读取</source>
        <translation>Cannot read the base map</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>不是 MBTiles 文件（{error}）</source>
        <translation>not an MBTiles file ({error})</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>无法开始复盘</source>
        <translation>Cannot start the replay</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>--replay 须与 --mode drill 同用，且不能带 --scenario。</source>
        <translation>--replay runs with --mode drill and without --scenario.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>正在打开窗口</source>
        <translation>Opening the window</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>载入界面模块</source>
        <translation>Loading the interface modules</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+13"/>
        <source>无法开始演练</source>
        <translation>Cannot start the drill</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>--resume 须与 --mode drill 同用。</source>
        <translation>--resume needs --mode drill.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>找不到该地点</source>
        <translation>No such place</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>没有该代码或名称的单位，也不是“经度,纬度,缩放”（LON,LAT,ZOOM）。</source>
        <translation>no unit with that code or name, and not LON,LAT,ZOOM.</translation>
    </message>
    <message>
        <location line="-228"/>
        <source>没有该屏幕</source>
        <translation>No such screen</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>配置文件有问题</source>
        <extracomment>The libraries every start needs that do not use Qt, imported before it.</extracomment>
        <translation>The configuration file has problems</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>请修改该文件（cockpit config check）后重新启动。</source>
        <translation>Fix the file (cockpit config check) and start again.</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>本机有 {n} 块屏幕，编号 0 到 {last}。</source>
        <translation>this machine has {n} screen(s), numbered 0 to {last}.</translation>
    </message>
    <message>
        <location filename="../../cockpit/window.py" line="-881"/>
        <source>建立各区域</source>
        <translation>Building the regions</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>城市体征与地图</source>
        <translation>Vital signs and the map</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>打开处置记录库</source>
        <translation>Opening the dispatch store</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>事件与处置</source>
        <translation>Events and dispatch</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>五色图与排名</source>
        <translation>Five-colour grid and rankings</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>窗口已建立，正在绘制</source>
        <translation>Window built, drawing</translation>
    </message>
</context>
<context>
    <name>dispatch_panel</name>
    <message>
        <location filename="../../widgets/dispatch_panel.py" line="-487"/>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>评价</source>
        <translation>Evaluate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>撤销</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>待签收</source>
        <translation>To acknowledge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已签收</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已处置</source>
        <translation>Handled</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已核查</source>
        <translation>Verified</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+13"/>
        <source>已结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>已评价</source>
        <translation>Evaluated</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已撤销</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>已核实</source>
        <translation>Confirmed</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>待派遣</source>
        <extracomment>The state of an event without a type (待分拨), as the queue (datasets/queue.py) names it.</extracomment>
        <translation>To dispatch</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>已派遣</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="-24"/>
        <location line="+29"/>
        <source>不予派遣</source>
        <extracomment>Chinese source texts of the words below: show them with action_label() and friends.</extracomment>
        <translation>Dismiss</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>合并</source>
        <translation>Merge</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>重办</source>
        <translation>Rework</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>待分拨</source>
        <translation>Unrouted</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>工单超时</source>
        <translation>Order overdue</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>已合并</source>
        <translation>Merged</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>满意</source>
        <extracomment>Each event state&apos;s symbol, so that a state reads without colour. The ratings 评价 records (the words are the data, see the dispatch ledger&apos;s RATINGS).</extracomment>
        <translation>Satisfied</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>基本满意</source>
        <translation>Fairly satisfied</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>不满意</source>
        <translation>Unsatisfied</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>记录部门已签收，签收时限停止计时。</source>
        <extracomment>What each action does, for the confirmation (source language Chinese).</extracomment>
        <translation>Records that the department acknowledged; the react deadline stops.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>记录处置结果已核查，工单可结案。</source>
        <translation>Records that the result was verified; the order can be closed.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案：工单完结，之后只能评价。</source>
        <translation>Close: the order is finished; only a rating can follow.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>记录对处置结果的评价，计入五色评价的闭环处置。</source>
        <translation>Records the rating of the result; it counts in the five-colour closed-loop board.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>撤销工单：部门不再处理；必须写明原因。</source>
        <translation>Cancel the order: the department stops; a reason is required.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>不予派遣：事件移出待办队列；必须写明原因。</source>
        <translation>Dismiss: the event leaves the queue without dispatch; a reason is required.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>合并为重复事件：移出待办队列；写明原事件编号和原因。</source>
        <translation>Merge as a duplicate: the event leaves the queue; give the original event&apos;s ID and a reason.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>传感器</source>
        <extracomment>Actions whose note is required.</extracomment>
        <translation>Sensor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AI视频</source>
        <translation>AI camera</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格员</source>
        <translation>Grid worker</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>民呼我为</source>
        <translation>Hotline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>无人机</source>
        <translation>Drone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>巡查</source>
        <translation>Patrol</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>A 签收 · K 核实 · H 处置 · V 核查 · C 结案 · E 评价 · X 撤销 · R 退回</source>
        <extracomment>The order keys in one line (shown when the buttons are off).</extracomment>
        <translation>A acknowledge · K confirm · H handle · V verify · C close · E evaluate · X cancel · R return</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>全部区县</source>
        <translation>All districts</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>镇街</source>
        <translation>Street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全部镇街</source>
        <translation>All streets</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>社区</source>
        <translation>Community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全部社区</source>
        <translation>All communities</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{d}天 {hh}:{mm}</source>
        <extracomment>Keys of the event actions (besides Enter / D 派遣). Every action that can have a deadline; a row&apos;s own are its ``stages`` (order_stages()). The focus outline (the same in the application&apos;s style sheet). Font size of the tables, readable from across the room on a wall.</extracomment>
        <translation>{d}d {hh}:{mm}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{s}秒</source>
        <translation>{s} s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{m}分</source>
        <translation>{m} min</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{h}时{mm}分</source>
        <translation>{h} h {mm} min</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{d}天{h}时</source>
        <translation>{d} d {h} h</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{label} 无时限</source>
        <translation>{label} no deadline</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>⚠ {label} 超时 +{span}</source>
        <translation>⚠ {label} late +{span}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{label} 剩 {span}</source>
        <translation>{label} in {span}</translation>
    </message>
    <message>
        <location line="+108"/>
        <source>级别</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地点</source>
        <translation>Place</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+136"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <location line="-135"/>
        <source>到达</source>
        <translation>Arrived</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收时限 · 状态</source>
        <translation>Deadline · state</translation>
    </message>
    <message>
        <location line="+135"/>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location line="-305"/>
        <location line="+306"/>
        <source>区县</source>
        <extracomment>Keys of the order actions. The place column&apos;s words by the level it shows: (column, all of them).</extracomment>
        <translation>District</translation>
    </message>
    <message>
        <location line="-387"/>
        <source>记录事件已核实（确认真实发生），工单转入处置。</source>
        <translation>Records that the event is confirmed (it really happened); the order goes to handling.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>记录现场处置完成，工单转入下一环节。</source>
        <translation>Records that handling on site is done; the order goes to its next stage.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>重办：退回上一环节重办（如核查未通过退回处置）；须写原因。</source>
        <translation>Rework: the order goes back to the previous working stage to be done again (a failed verification goes back to handling); a reason is required.</translation>
    </message>
    <message>
        <location line="+380"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>倒计时（下一时限）</source>
        <translation>Next deadline</translation>
    </message>
</context>
<context>
    <name>dispatch_preview</name>
    <message>
        <location filename="../../widgets/dispatch_preview.py" line="-691"/>
        <source>响应</source>
        <translation>React</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>供水</source>
        <translation>water</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>燃气</source>
        <translation>gas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>排水</source>
        <translation>drainage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>球墨铸铁</source>
        <translation>ductile iron</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>灰口铸铁</source>
        <translation>grey cast iron</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>钢管</source>
        <translation>steel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PE管</source>
        <translation>PE</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PVC管</source>
        <translation>PVC</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>混凝土管</source>
        <translation>concrete</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>医院</source>
        <translation>hospital</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>学校</source>
        <translation>school</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>养老机构</source>
        <translation>care home</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{m} 分钟</source>
        <translation>{m} min</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{h} 小时 {m} 分</source>
        <translation>{h} h {m} min</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{h} 小时</source>
        <translation>{h} h</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location line="+1"/>
        <source> 等 {n} 个</source>
        <translation> and others ({n} in all)</translation>
    </message>
</context>
<context>
    <name>drill_report_pdf</name>
    <message>
        <location filename="../../cockpit/printing/drill_pdf.py" line="+26"/>
        <source>达标 met</source>
        <translation>met</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>超时 missed</source>
        <translation>missed</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>进行中 pending</source>
        <translation>pending</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>演练复盘报告 · After-action report</source>
        <translation>After-action report</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>场景 scenario: &lt;b&gt;{id}&lt;/b&gt; · 地点 place: {place} ({code}) · 预案 plan: {plan}</source>
        <translation>Scenario: &lt;b&gt;{id}&lt;/b&gt; · place: {place} ({code}) · plan: {plan}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>演练时间 drill window: {start} – {end} · 截至 as of: {as_of}</source>
        <translation>Drill window: {start} – {end} · as of: {as_of}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>会话 session: {id} · 演练库 drill store: {store}</source>
        <translation>Session: {id} · drill store: {store}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>总分 Total score: &lt;b&gt;{score}&lt;/b&gt; / 100</source>
        <translation>Total score: &lt;b&gt;{score}&lt;/b&gt; / 100</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>评分注入 scored injects: {injects} · 已派遣 dispatched: {dispatched} · 部门 正确/错派/漏派 departments right/wrong/missed: {right}/{wrong}/{missed} · 阶段 达标/超时/进行中 stages met/missed/pending: {met}/{late}/{pending}</source>
        <translation>Scored injects: {injects} · dispatched: {dispatched} · departments right/wrong/missed: {right}/{wrong}/{missed} · stages met/missed/pending: {met}/{late}/{pending}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>逐条注入 · Per inject</source>
        <translation>Per inject</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+45"/>
        <source>注入 inject</source>
        <translation>Inject</translation>
    </message>
    <message>
        <location line="-44"/>
        <source>派遣用时 (分) time to dispatch</source>
        <translation>Time to dispatch (min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>正确部门 right</source>
        <translation>Right departments</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>错派 wrong</source>
        <translation>Wrong</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>漏派 missed</source>
        <translation>Missed</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>阶段时限 stage deadlines</source>
        <translation>Stage deadlines</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>得分 points (派遣/部门/阶段)</source>
        <translation>Points (dispatch/departments/stages)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>分数 score</source>
        <translation>Score</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>时间线 · Timeline</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>时间 time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>+分 min</source>
        <translation>+min</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类型 kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>注入 #</source>
        <translation>Inject #</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>部门 department</source>
        <translation>Department</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>内容 what</source>
        <translation>What</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>时限 deadline</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>超时 late</source>
        <translation>late</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>按时 on time</source>
        <translation>on time</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>注入 · inject {n}: {title}</source>
        <translation>Inject {n}: {title}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>管网影响 · Pipe network impact</source>
        <translation>Pipe network impact</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>评分方法 · Scoring</source>
        <translation>Scoring</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>演练复盘报告 {title}</source>
        <translation>After-action report {title}</translation>
    </message>
</context>
<context>
    <name>evaluation</name>
    <message>
        <location filename="../../datasets/evaluation.py" line="+130"/>
        <source>无数据</source>
        <extracomment>Shown for a missing score: grey, &quot;无数据&quot;. Never a level colour.</extracomment>
        <translation>No data</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>样本不足</source>
        <extracomment>Shown for too small a sample: dark grey, &quot;样本不足&quot;. Never a level colour.</extracomment>
        <translation>Too few</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>优秀</source>
        <extracomment>The fallback scheme when a dataset has none: blue → red (diverging, colour-blind safe).</extracomment>
        <translation>Excellent</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>良好</source>
        <translation>Good</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>一般</source>
        <translation>Fair</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>较差</source>
        <translation>Poor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>差</source>
        <translation>Bad</translation>
    </message>
</context>
<context>
    <name>five_colour</name>
    <message>
        <location filename="../../widgets/five_colour.py" line="-522"/>
        <source>新</source>
        <extracomment>A score cell&apos;s dict (score, label, colour, text, status, rank). The unit code of a row.</extracomment>
        <translation>new</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>样本不足，不评色</source>
        <translation>Too few orders: not rated</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>无数据（缺失值不计为 0）</source>
        <translation>No data (a missing value does not count as 0)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} · {column}：{score} 分 · {label}</source>
        <translation>{name} · {column}: {score} · {label}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>（第 {rank} 名）</source>
        <translation> (rank {rank})</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>点击查看指标明细</source>
        <translation>Click for the breakdown</translation>
    </message>
</context>
<context>
    <name>live</name>
    <message>
        <location filename="../../cockpit/controllers/live.py" line="+107"/>
        <location line="+132"/>
        <source>实时接入：连接中…</source>
        <translation>Live feed: connecting…</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+9"/>
        <source>无实时接入 · 仅历史数据（{why}）</source>
        <translation>No live feed · history only ({why})</translation>
    </message>
    <message>
        <location line="-3"/>
        <source> · 隔离 {n}</source>
        <translation> · quarantined {n}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>实时接入中断 · 最近消息 {age} 前（{why}）</source>
        <translation>Live feed lost · last message {age} ago ({why})</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>实时接入：已连接 · 延迟 {lag} · 最近消息 {age} 前{q}</source>
        <translation>Live feed: connected · lag {lag} · last message {age} ago{q}</translation>
    </message>
</context>
<context>
    <name>map_key</name>
    <message>
        <location filename="../../cockpit/controllers/map.py" line="+397"/>
        <source>图例</source>
        <extracomment>the layer whose &quot;drawn&quot; report times a refresh (sent last when it is the pipes) the live feed&apos;s reports for the event layer (plain rows; set by the window) The last mark command sent (the selection on the map). The clock time of the last answered query (what the page shows now).</extracomment>
        <translation>Map key</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件（形状 = 状态）</source>
        <translation>Events (shape = state)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>待派遣</source>
        <translation>To dispatch</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已派遣</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>已结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>白边：一小时内</source>
        <translation>White edge: last hour</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>风险点（形状 = 级别）</source>
        <translation>Risk points (shape = level)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>重大</source>
        <translation>Major</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>较大</source>
        <translation>Serious</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>一般</source>
        <translation>General</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>低</source>
        <translation>Low</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应急设施（圆环）</source>
        <translation>Facilities (rings)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>物资仓库</source>
        <translation>Warehouse</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>消防站</source>
        <translation>Fire station</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>医院</source>
        <translation>Hospital</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>避难场所</source>
        <translation>Shelter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>选中</source>
        <translation>Selected</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>脉冲圆环 + 虚线圈：选中的事件或地点</source>
        <translation>Pulsing ring + dashed circle: the selected event or place</translation>
    </message>
</context>
<context>
    <name>map_side</name>
    <message>
        <location filename="../../widgets/map_side.py" line="-262"/>
        <location line="+9"/>
        <source>风险点</source>
        <translation>Risk points</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>实时事件</source>
        <translation>Live events</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应急资源</source>
        <translation>Emergency resources</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>热力（事件密度）</source>
        <translation>Heat map (event density)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地下管线（供水·燃气）</source>
        <translation>Pipes (water · gas)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>区划</source>
        <translation>Area</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>设施</source>
        <translation>Facility</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>区县</source>
        <translation>District</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>风险点编号</source>
        <extracomment>The detail panel&apos;s field names (keys of the layers&apos; detail dicts) on screen.</extracomment>
        <translation>Risk point no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件编号</source>
        <translation>Event no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>设施编号</source>
        <translation>Facility no.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>镇街</source>
        <translation>Street</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>责任部门编码</source>
        <translation>Department code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>责任部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>最近巡检</source>
        <translation>Last inspected</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件类型</source>
        <translation>Event type</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件类型编码</source>
        <translation>Event type code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>严重程度</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>发生时间</source>
        <translation>Occurred</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收时限（分）</source>
        <translation>React within (min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查时限（分）</source>
        <translation>Verify within (min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置时限（分）</source>
        <translation>Handle within (min)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>预案</source>
        <translation>Plan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>村社</source>
        <translation>Community</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>传感器</source>
        <extracomment>Coded values shown as words: event sources and facility kinds.</extracomment>
        <translation>Sensor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>AI视频</source>
        <translation>AI camera</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>网格员</source>
        <translation>Grid worker</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>民呼我为</source>
        <translation>Hotline</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>无人机</source>
        <translation>Drone</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>巡查</source>
        <translation>Patrol</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应急仓库</source>
        <translation>Emergency warehouse</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>消防站</source>
        <translation>Fire station</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>医院</source>
        <translation>Hospital</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>避难场所</source>
        <translation>Shelter</translation>
    </message>
</context>
<context>
    <name>ranking</name>
    <message>
        <location filename="../../widgets/ranking.py" line="-222"/>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>变化</source>
        <translation>Change</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>总分</source>
        <translation>Total</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>较上季</source>
        <translation>Δ quarter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>上季度未排名</source>
        <translation>Not ranked last quarter</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>上季度第 {prev} 名；本季度无排名</source>
        <translation>Rank {prev} last quarter; not ranked this quarter</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>上季度第 {prev} 名 → 本季度第 {rank} 名</source>
        <translation>Rank {prev} last quarter → {rank} this quarter</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>前五</source>
        <translation>Top 5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>后五</source>
        <translation>Bottom 5</translation>
    </message>
</context>
<context>
    <name>report_pdf</name>
    <message>
        <location filename="../../cockpit/printing/quarter_pdf.py" line="+215"/>
        <source>{period} 季度</source>
        <translation>Quarter {period}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>五色方式：{mode} · 对比季度：{compare} · 排名单位：{n} 个{unit}</source>
        <translation>Colours {mode} · compared with {compare} · {n} ranked {unit}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>数据集：{dataset} · 生成时间：{at}</source>
        <translation>Dataset: {dataset} · generated {at}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>演示数据 · DEMO DATA</source>
        <translation>DEMO DATA</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>运营数据为虚构；行政区划名称、代码与边界为真实地理信息。</source>
        <translation>The operations data are invented; the names, codes and boundaries of the administrative units are real.</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>{n} 个</source>
        <translation>{n} units</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>名次变化对比 {previous}：↑ 上升，↓ 下降，— 不变，新 上季度未排名。</source>
        <translation>Rank change vs {previous}: ↑ up, ↓ down, — same, new = not ranked last quarter.</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+19"/>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <location line="-163"/>
        <source>第 {rank} 名 · {total} 分</source>
        <translation>rank {rank} · {total} points</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>平均</source>
        <extracomment>Chart images of a report: name (the HTML&apos;s ``src``) -&gt; PNG bytes.</extracomment>
        <translation>mean</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>总分与名次变化（↑ 上升 ↓ 下降，对比 {previous}）</source>
        <translation>Total score and rank movement (↑ up ↓ down, against {previous})</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>本季要点</source>
        <translation>The quarter at a glance</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>最佳</source>
        <translation>Best</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>最差</source>
        <translation>Worst</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>上升最多</source>
        <translation>Rose most</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>下降最多</source>
        <translation>Fell most</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>五色分布（{n} 个有总分的单位）：</source>
        <translation>Colours ({n} units with a total score):</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>一、五色图（{mode}）</source>
        <translation>1. Five-colour grid ({mode})</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>二、{period} 总分排名</source>
        <translation>2. Ranking by total score, {period}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>变化</source>
        <translation>Change</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>总分</source>
        <translation>Total</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上季度</source>
        <translation>Last quarter</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>分数变化</source>
        <translation>Score change</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>三、后五名及其失分指标</source>
        <translation>3. The bottom five and the KPIs that cost them points</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>总分最低的五个单位（最差在前）；每个单位列出得分最低的板块，以及失分最多的指标（失分 = 指标在板块内的权重占比 × (100 − 得分)）。</source>
        <translation>The five units with the lowest total (worst first); for each, its weakest boards and the KPIs that lost it the most points (points lost = the KPI&apos;s weight share within its board × (100 − score)).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>越高越好</source>
        <translation>higher is better</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>越低越好</source>
        <translation>lower is better</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>最弱板块：</source>
        <translation>Weakest boards: </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>指标</source>
        <translation>KPI</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>方向</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>数值</source>
        <translation>Value</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>目标</source>
        <translation>Target</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>失分</source>
        <translation>Points lost</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>四、板块 · {board}</source>
        <translation>4. Board · {board}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>前五：</source>
        <translation>Top five: </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>后五：</source>
        <translation>Bottom five: </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>五、闭环处置（来源：{source}）</source>
        <translation>5. Closed loop (from {source})</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>派遣记录：</source>
        <translation>Dispatch records: </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>核实按时率</source>
        <translation>Confirmed on time</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>六、方法说明</source>
        <translation>6. Method</translation>
    </message>
    <message>
        <location line="-137"/>
        <source>每格显示得分与等级颜色；灰色“无数据”为缺失（不计为 0），深灰“样本不足”为闭环处置派单过少。</source>
        <translation>Each cell shows the score in its level colour; grey &quot;No data&quot; is missing (not counted as 0), dark grey &quot;Too few&quot; means too few closed-loop orders.</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>板块</source>
        <translation>Board</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>派遣记录</source>
        <translation>dispatch records</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件历史（无完成时间）</source>
        <translation>event history (no completion times)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>样本量</source>
        <translation>Sample</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收按时率</source>
        <translation>Acknowledged on time</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>核查按时率</source>
        <translation>Verified on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置按时率</source>
        <translation>Handled on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案率</source>
        <translation>Closure rate</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="-57"/>
        <location line="+58"/>
        <source>得分</source>
        <translation>Score</translation>
    </message>
</context>
<context>
    <name>review</name>
    <message>
        <location filename="../../cockpit/controllers/review.py" line="-492"/>
        <source>派遣记录</source>
        <translation>dispatch records</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件历史（无完成时间）</source>
        <translation>event history (no completion times)</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>派单少于 {n} 件，不评色</source>
        <translation>Fewer than {n} orders: not rated</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>事件历史无完成时间，按时率无法计算</source>
        <translation>The event history has no completion times: no on-time rates</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>第{i}/{k}段</source>
        <translation>band {i}/{k}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>{period} · {mode} · {n} 个单位 · 闭环处置来源：{source}</source>
        <translation>{period} · {mode} · {n} units · closed loop from {source}</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>{column}：{score} 分 · {label}</source>
        <translation>{column}: {score} · {label}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> · 第 {rank} 名 / {n}</source>
        <translation> · rank {rank} / {n}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>板块</source>
        <translation>Board</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+57"/>
        <source>得分</source>
        <translation>Score</translation>
    </message>
    <message>
        <location line="-56"/>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上季度</source>
        <translation>Last quarter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>变化</source>
        <translation>Change</translation>
    </message>
    <message>
        <location line="+10"/>
        <source> · 总分 = 各板块得分的加权平均（缺失板块不计入）</source>
        <translation> · total = weighted mean of the board scores (missing boards left out)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+36"/>
        <source>数值</source>
        <translation>Value</translation>
    </message>
    <message>
        <location line="-29"/>
        <source>样本量（派单）</source>
        <translation>Sample (orders)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>样本量（事件）</source>
        <translation>Sample (events)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收按时率</source>
        <translation>Acknowledged on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实按时率</source>
        <translation>Confirmed on time</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>核查按时率</source>
        <translation>Verified on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置按时率</source>
        <translation>Handled on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案率</source>
        <translation>Closure rate</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <source>超时未办结</source>
        <translation>Overdue, not finished</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>迟办：{actions}</source>
        <translation>late: {actions}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>按时</source>
        <translation>on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>事件 {event} · {title}</source>
        <translation>Event {event} · {title}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>指标</source>
        <translation>KPI</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>贡献</source>
        <translation>Contribution</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>跑道</source>
        <translation>Runway</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>方向</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location line="+25"/>
        <source> · 贡献 = 权重占比 × 得分，失分 = 权重占比 × (100 − 得分)，按失分排序</source>
        <translation> · contribution = weight share × score, points lost = weight share × (100 − score), sorted by points lost</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>本窗口未打开派遣库（见状态栏），闭环处置改用事件历史</source>
        <translation>this window has no dispatch store open (see the status line); the closed loop falls back to the event history</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>权重</source>
        <translation>Weight</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>目标</source>
        <translation>Target</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>较上季</source>
        <translation>Δ quarter</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>失分</source>
        <translation>Points lost</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>↑ 越高越好</source>
        <translation>↑ higher is better</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>↓ 越低越好</source>
        <translation>↓ lower is better</translation>
    </message>
    <message>
        <location line="+21"/>
        <source> · 有数值的指标 {have}/{n}</source>
        <translation> · KPIs with a value {have}/{n}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>（权重覆盖 {cv}）</source>
        <translation> (weight coverage {cv})</translation>
    </message>
</context>
<context>
    <name>risk_level</name>
    <message>
        <location filename="../../datasets/schema.py" line="+46"/>
        <location filename="../../widgets/dispatch_panel.py" line="-367"/>
        <location filename="../../widgets/map_side.py" line="-45"/>
        <source>重大</source>
        <extracomment>Admin levels, top to bottom. Event sources (Chinese labels live in the UI translations). Facility kinds. Kinds of pipe network (a pipe&apos;s and a node&apos;s ``network``). Kinds of network node. ``source`` (water plant, gas gate station) and ``tank`` (a water reservoir or tower) feed the network; ``valve`` closes; the others pass flow on. Drainage (gravity: a pipe flows from ``from_node`` to ``to_node``) ends at an ``outfall`` (排放口, on a river) or a ``treatment_plant`` (污水处理厂); ``manhole`` (检查井) and ``inlet`` (雨水口) collect and pass flow on, a ``pump_station`` (排水泵站) lifts it on. Drainage node kinds where the flow leaves the network (a drainage pipe must reach one). Classes of road (a road segment&apos;s ``road_class``): the four classes of urban road of the national design code — 快速路 ``expressway``, 主干路 ``arterial``, 次干路 ``secondary``, 支路 ``branch`` (CJJ 37-2012《城市道路工程设计规范》§3.1) — and the 背街小巷 ``lane``, the alleys below a branch road that city management names on its own (no class of the code). Pipe materials. Risk levels: 1 重大 (major) … 4 低 (low).</extracomment>
        <translation>Major</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../widgets/dispatch_panel.py" line="+1"/>
        <location filename="../../widgets/map_side.py" line="+1"/>
        <source>较大</source>
        <translation>Serious</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../widgets/dispatch_panel.py" line="+1"/>
        <location filename="../../widgets/map_side.py" line="+1"/>
        <source>一般</source>
        <translation>Moderate</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../widgets/dispatch_panel.py" line="+1"/>
        <location filename="../../widgets/map_side.py" line="+1"/>
        <source>低</source>
        <translation>Low</translation>
    </message>
</context>
<context>
    <name>shortcut_sheet</name>
    <message>
        <location filename="../../widgets/shortcut_sheet.py" line="-54"/>
        <source>全局</source>
        <extracomment>(group, [(keys, what)]) — the window&apos;s shortcuts (cockpit/window.py, the dispatch panel, the replay bar).</extracomment>
        <translation>Everywhere</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>值守 / 晾晒 / 演练</source>
        <translation>Live / Review / Drill</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在各区域之间移动焦点</source>
        <translation>Move the focus between the panes</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>区域内逐项移动</source>
        <translation>Move within a pane</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>搜索事件编号、标题、街道、社区、风险点</source>
        <translation>Search event IDs and titles, streets, communities, risk points</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>新建事件：来电登记，智能分拨</source>
        <translation>New report: a phone call typed in, routed</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>地图侧栏（图层、详情）</source>
        <translation>Map side panel (layers, detail)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>全屏</source>
        <translation>Full screen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>本快捷键表</source>
        <translation>This key sheet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>值守队列（事件）</source>
        <translation>Duty queue (events)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>选择事件：地图同步定位并标记</source>
        <translation>Select an event: the map pans to it and marks it</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>派遣预览</source>
        <translation>Dispatch preview</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>不予派遣（须写原因）</source>
        <translation>Dismiss (with a reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>合并为重复事件（须写原事件编号和原因）</source>
        <translation>Merge as a duplicate (original event ID and a reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>筛选框：展开选项</source>
        <translation>Filter box: open its choices</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>派遣工单</source>
        <translation>Dispatch orders</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实（确认事件真实发生；应急流程）</source>
        <translation>Confirm (the event is real; emergency flow)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查（检查处置结果）</source>
        <translation>Verify (check the result of the handling)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>城市体征卡片</source>
        <translation>Vital-sign tiles</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>在体征卡片之间移动</source>
        <translation>Move between the vital-sign tiles</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>打开该领域的指标列表</source>
        <translation>Open the domain&apos;s indicator list</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>评价（满意 / 基本满意 / 不满意）</source>
        <translation>Evaluate (satisfied / fairly satisfied / unsatisfied)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>撤销（须写原因）</source>
        <translation>Cancel (with a reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>退回上一环节重办（须写原因）</source>
        <translation>Return to the previous stage to be done again (with a reason)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>确认框：确认 / 取消</source>
        <translation>Confirmation: confirm / cancel</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>演练与复盘</source>
        <translation>Drill and replay</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>播放 / 暂停</source>
        <translation>Play / pause</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>后退 / 前进一步</source>
        <translation>Step back / forward</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结束演练</source>
        <translation>Finish the drill</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>指标表盘</source>
        <translation>KPI gauges</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>打开板块明细</source>
        <translation>Open the board&apos;s details</translation>
    </message>
</context>
<context>
    <name>store_location</name>
    <message>
        <location filename="../../cockpit/controllers/store.py" line="+73"/>
        <source>派遣库现按数据集分开，本数据集启用新的派遣库 {new}。此前各数据集共用的派遣库仍在 {old}，未作改动；用 --store {old} 打开它。</source>
        <translation>Dispatch stores are now one per dataset: this dataset starts a new store, {new}. The store all datasets shared before is still at {old}, unchanged; open it with --store {old}.</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>派遣库无法打开 {path}：{error}</source>
        <translation>Cannot open the dispatch store {path}: {error}</translation>
    </message>
</context>
<context>
    <name>vitals_panel</name>
    <message>
        <location filename="../../widgets/vitals_panel.py" line="-355"/>
        <source>预 {range}</source>
        <extracomment>Statuses, worst first. The vital-sign domains in the house order (the schema&apos;s VITAL_DOMAINS; widgets do not import the datasets package).</extracomment>
        <translation>warn {range}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>报 {range}</source>
        <translation>alarm {range}</translation>
    </message>
</context>
<context>
    <name>vocabulary</name>
    <message>
        <location filename="../../datasets/drill.py" line="+776"/>
        <source>每条注入 100 分：派遣 20（时限内满分，至 3 倍时限线性降至 0）+ 部门 30 × max(0, 正确 − 0.5 × 错派) / 应派 + 各阶段时限 50 均分；总分为加权平均。</source>
        <extracomment>Where the shipped scenarios live. The order action that finishes each stage a scenario can time, in the one stage order. Points per part of an inject&apos;s score. the flow of the expected plan (its ``stages``; set from the catalog by :func:`available_scenarios`, else the loop) The folder of a dataset directory that holds the dataset&apos;s own scenarios. How a drill is scored, in words (the widgets show it translated).</extracomment>
        <translation>Each inject scores 100: dispatch 20 (full marks within the target, falling linearly to 0 at 3× the target) + departments 30 × max(0, right − 0.5 × wrong) / expected + stage deadlines 50, shared equally; the total is the weighted mean.</translation>
    </message>
    <message>
        <location filename="../../datasets/evaluation.py" line="-17"/>
        <location filename="../../datasets/report.py" line="+37"/>
        <source>闭环处置</source>
        <extracomment>The closed-loop board&apos;s column name.</extracomment>
        <translation>Closed loop</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../datasets/report.py" line="+413"/>
        <location line="+120"/>
        <source>总分</source>
        <extracomment>The total&apos;s column name.</extracomment>
        <translation>Total</translation>
    </message>
    <message>
        <location filename="../../datasets/report.py" line="-538"/>
        <source>按分数段（绝对阈值）</source>
        <translation>by score bands (absolute thresholds)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>按名次五等分（晾晒）</source>
        <translation>by rank quintiles (review)</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+463"/>
        <source>说明</source>
        <extracomment>The workbook&apos;s sheets, in order.</extracomment>
        <translation>About</translation>
    </message>
    <message>
        <location line="-463"/>
        <source>排名</source>
        <translation>Ranking</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>五色图</source>
        <translation>Five-colour grid</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>两季度对比</source>
        <translation>Two quarters</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>前五后五</source>
        <translation>Top and bottom 5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>指标得分</source>
        <translation>KPI scores</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>后五名失分指标</source>
        <translation>Bottom five, KPIs</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../layers/districts.py" line="+29"/>
        <source>区县</source>
        <translation>districts</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../layers/districts.py" line="+1"/>
        <source>镇街</source>
        <translation>streets</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../layers/districts.py" line="+1"/>
        <source>村社</source>
        <translation>communities</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../layers/districts.py" line="+1"/>
        <source>网格</source>
        <translation>grids</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>名次第 {i}/{k} 段</source>
        <extracomment>caller passed none on purpose)</extracomment>
        <translation>rank band {i}/{k}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&lt;{score:g} 分</source>
        <translation>&lt;{score:g}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>≥{score:g} 分</source>
        <translation>≥{score:g}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>缺失，不计为 0</source>
        <translation>missing, not counted as 0</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>闭环处置派单少于 {n} 件</source>
        <translation>fewer than {n} closed-loop orders</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>新</source>
        <translation>new</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>各板块等权</source>
        <translation>boards weighted equally</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>板块权重：{weights}</source>
        <translation>board weights: {weights}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>闭环处置板块取自派遣记录：签收、核实（应急流程）、核查、处置各环节的按时率与结案率的平均 × 100；当季派单少于 {n} 件为“样本不足”，不评色、不排名。</source>
        <translation>The closed-loop board comes from the dispatch records: the mean of the on-time rates of acknowledging, confirming (emergency flow), verifying and handling and of the closure rate, × 100; a unit with fewer than {n} orders in the quarter is &quot;Too few&quot;: no colour, no rank.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>闭环处置板块：本报告未接入派遣记录，只有事件历史（事件量与各环节时限），事件历史不含完成时间，按时率、结案率与超时数无法计算，显示为“无数据”，不计入总分。</source>
        <translation>Closed-loop board: this report has no dispatch records, only the event history (event counts and stage deadlines), which has no completion times; on-time rates, closure rate and overdue counts cannot be computed, show as &quot;No data&quot; and do not count in the total.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>指标得分（0–100）：按目标值与指标方向计算相对差距 g（越高越好：(值−目标)/|目标|；越低越好：(目标−值)/|目标|）。达标得 {on_target:g} 分；优于目标 {full_gap:.0%} 得 100 分（封顶）；差于目标 {zero_gap:.0%} 得 0 分（保底），其间线性。封顶与保底即异常值处理：任何单项指标的贡献都不超过 100、不低于 0。</source>
        <translation>KPI score (0–100): the relative gap g to the target, by the KPI&apos;s direction (higher is better: (value − target)/|target|; lower is better: (target − value)/|target|). On target scores {on_target:g}; {full_gap:.0%} better than the target scores 100 (the cap); {zero_gap:.0%} worse scores 0 (the floor); linear in between. Cap and floor are the outlier rule: no single KPI contributes more than 100 or less than 0.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>板块得分：该板块有数值的指标按权重加权平均；有数值指标的权重不足板块总权重的 {coverage:.0%} 时，板块记为“无数据”。缺失值不计为 0。</source>
        <translation>Board score: the weighted mean of the board&apos;s KPIs that have a value; when those carry less than {coverage:.0%} of the board&apos;s weight, the board is &quot;No data&quot;. A missing value never counts as 0.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>总分：各板块得分的加权平均（{weights}），闭环处置板块权重 {cl_weight:g}；有得分的指标板块权重不足 {coverage:.0%} 时总分为“无数据”。</source>
        <translation>Total: the weighted mean of the board scores ({weights}), the closed-loop board weighing {cl_weight:g}; when the KPI boards with a score carry less than {coverage:.0%} of the weight, the total is &quot;No data&quot;.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>名次：按保留一位小数后的得分从高到低；得分相同者名次相同（1、2、2、4），列表中按单位代码排列。名次变化 = 上季度名次 − 本季度名次（↑ 上升，↓ 下降，— 不变，新 上季度未排名）。</source>
        <translation>Rank: by the score rounded to one decimal, highest first; equal scores share a rank (1, 2, 2, 4) and are listed by unit code. Rank change = last quarter&apos;s rank − this quarter&apos;s rank (↑ up, ↓ down, — same, new = not ranked last quarter).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>五色：按分数段——达到某一等级的最低分即为该等级。两种方式均可选择。</source>
        <translation>Five colours: by score bands — a unit reaching a level&apos;s minimum score has that level. Either way can be chosen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>五色：按名次五等分（晾晒）——n 个有得分的单位中第 r 名的等级为 ⌊(r−1)·5/n⌋+1，同分者同段。两种方式均可选择。</source>
        <translation>Five colours: by rank quintiles (review) — among n units with a score, rank r has level ⌊(r−1)·5/n⌋+1; equal scores share a band. Either way can be chosen.</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>未指定派遣库</source>
        <translation>no dispatch store given</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>派遣库 {path} 不存在（尚无派遣记录）</source>
        <translation>the dispatch store {path} does not exist (no dispatch records yet)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>派遣库正被运行中的驾驶舱占用（{who}）：读取的是它此刻的副本</source>
        <translation>the dispatch store is held by a running cockpit ({who}): a copy of it as of now was read</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>派遣库正被另一程序占用，无法读取（{error}）；闭环处置改用事件历史，按时率与结案率缺失</source>
        <translation>the dispatch store is held by another program and cannot be read ({error}); the closed loop falls back to the event history, without on-time and closure rates</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>派遣库无法读取（{error}）；闭环处置改用事件历史，按时率与结案率缺失</source>
        <translation>the dispatch store cannot be read ({error}); the closed loop falls back to the event history, without on-time and closure rates</translation>
    </message>
    <message>
        <location line="+47"/>
        <location line="+112"/>
        <location line="+23"/>
        <location line="+14"/>
        <location line="+19"/>
        <location line="+13"/>
        <location line="+26"/>
        <location line="+25"/>
        <source>单位</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location line="-229"/>
        <source>{top}城市运行 · 五色图与季度晾晒报告</source>
        <translation>{top} City Operations · five-colour grid and quarterly ranking</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>季度</source>
        <translation>Quarter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>对比季度</source>
        <translation>Compared with</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>五色方式</source>
        <translation>Colours</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>数据集</source>
        <translation>Dataset</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>生成时间</source>
        <translation>Generated</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>排名单位</source>
        <translation>Ranked units</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} 个{unit}</source>
        <translation>{n} {unit}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>演示数据</source>
        <translation>Demo data</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>DEMO DATA：运营数据为虚构，行政区划为真实地理信息。</source>
        <translation>DEMO DATA: the operations data are invented; the administrative geography is real.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>图例</source>
        <translation>Legend</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>方法说明</source>
        <translation>Method</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+24"/>
        <location line="+33"/>
        <location line="+64"/>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <location line="-121"/>
        <source>变化</source>
        <translation>Change</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+41"/>
        <source>名次变化</source>
        <translation>Rank change</translation>
    </message>
    <message>
        <location line="-40"/>
        <location line="+23"/>
        <location line="+14"/>
        <location line="+19"/>
        <location line="+13"/>
        <location line="+26"/>
        <location line="+25"/>
        <source>单位代码</source>
        <translation>Unit code</translation>
    </message>
    <message>
        <location line="-118"/>
        <source>上季度名次</source>
        <translation>Last quarter rank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>上季度总分</source>
        <translation>Last quarter total</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+37"/>
        <source>分数变化</source>
        <translation>Score change</translation>
    </message>
    <message>
        <location line="-36"/>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>{period} 名次</source>
        <translation>{period} rank</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{period} 总分</source>
        <translation>{period} total</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>没有可对比的季度</source>
        <translation>No quarter to compare with</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+44"/>
        <location line="+24"/>
        <source>板块</source>
        <translation>Board</translation>
    </message>
    <message>
        <location line="-68"/>
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>位次</source>
        <translation>Place</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+19"/>
        <location line="+27"/>
        <location line="+22"/>
        <source>得分</source>
        <translation>Score</translation>
    </message>
    <message>
        <location line="-64"/>
        <source>前五</source>
        <translation>Top 5</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>后五</source>
        <translation>Bottom 5</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>样本量</source>
        <translation>Sample</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>签收按时率</source>
        <translation>Acknowledged on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实按时率</source>
        <translation>Confirmed on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查按时率</source>
        <translation>Verified on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置按时率</source>
        <translation>Handled on time</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案率</source>
        <translation>Closure rate</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>超时</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>样本不足</source>
        <translation>Too few</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>派遣记录</source>
        <translation>dispatch records</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>事件历史</source>
        <translation>event history</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>指标代码</source>
        <translation>KPI code</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+24"/>
        <source>指标</source>
        <translation>KPI</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>跑道</source>
        <translation>Runway</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+23"/>
        <source>计量单位</source>
        <translation>Unit of measure</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>方向</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>权重</source>
        <translation>Weight</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+22"/>
        <source>目标</source>
        <translation>Target</translation>
    </message>
    <message>
        <location line="-22"/>
        <location line="+22"/>
        <source>数值</source>
        <translation>Value</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>越高越好</source>
        <translation>higher is better</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>越低越好</source>
        <translation>lower is better</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>失分</source>
        <translation>Points lost</translation>
    </message>
    <message>
        <location filename="../../cockpit/controllers/dispatch.py" line="-1181"/>
        <location filename="../../datasets/routing.py" line="+241"/>
        <source>接报签收</source>
        <extracomment>The create rows&apos; source of 自动派遣 (a routine report sent to its plan without a person).
----------
Every action of an order that can have a deadline, in the one order they happen (an order&apos;s own flow holds some of them: :func:`cockpit.datasets.stages.order_stages`). The plan stage whose steps set each action&apos;s deadline. The event type&apos;s target (react_min, verify_min, handle_min) of each stage.</extracomment>
        <translation>Acknowledge the report</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../datasets/routing.py" line="+1"/>
        <source>现场核查</source>
        <translation>Verify on site</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../datasets/routing.py" line="+1"/>
        <source>完成处置</source>
        <translation>Finish handling</translation>
    </message>
    <message>
        <location filename="../../datasets/schema.py" line="+8"/>
        <source>水</source>
        <extracomment>Plan step stages (a step&apos;s ``stage``): react 签收/反应, verify (the step&apos;s early on-site check; in a flow with 核实 it is the confirmation), handle 处置, close 结案, and confirm 核实 (confirm the event is real). Which stages an order runs is the plan&apos;s ``stages`` (:mod:`cockpit.datasets.stages`). Vital-sign domains used by the demo data (a dataset may add its own).</extracomment>
        <translation>Water</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>电</source>
        <translation>Power</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>气</source>
        <translation>Gas</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>讯</source>
        <translation>Telecom</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>桥</source>
        <translation>Bridges</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>隧</source>
        <translation>Tunnels</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>交通</source>
        <translation>Traffic</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>环境</source>
        <translation>Environment</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>党建统领</source>
        <extracomment>The eight boards (八大板块).</extracomment>
        <translation>Party building</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>经济发展</source>
        <translation>Economy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>设施运行</source>
        <translation>Facilities</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>社会治理</source>
        <translation>Governance</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>应急动员</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>文明创建</source>
        <translation>Civility</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>生态景观</source>
        <translation>Ecology</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>生产生活服务</source>
        <translation>Services</translation>
    </message>
    <message>
        <location filename="../../datasets/network/impact.py" line="+66"/>
        <source>医院</source>
        <extracomment>The drainage network&apos;s name (gravity flow, analysed by :class:`Drainage`). Words for the sites&apos; kinds (Chinese source, translated in the interface).</extracomment>
        <translation>hospital</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>学校</source>
        <translation>school</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>养老机构</source>
        <translation>care home</translation>
    </message>
    <message>
        <location filename="../../layers/districts.py" line="-4"/>
        <source>市</source>
        <extracomment>Sequential palette for risk density, light to dark (ColorBrewer &quot;OrRd&quot;, 5 classes). The top unit&apos;s own polygon when its units are coloured inside it: not a class colour. admin_unit levels by their word on screen (marked for translation).</extracomment>
        <translation>City</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>风险点数（按{unit}）</source>
        <translation>Risk points by {unit}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>五色评价 {period}</source>
        <translation>Five colours {period}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>{n} 个{unit}没有边界：以中心点着色</source>
        <translation>{n} {unit} without a boundary: drawn at their centres</translation>
    </message>
    <message>
        <location filename="../../datasets/triage/__init__.py" line="+61"/>
        <source>报告是空的</source>
        <translation>the report is empty</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>报告里没有可识别的中文描述</source>
        <translation>the report has no Chinese description to read</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>分拨模型尚未训练</source>
        <translation>the router has not been trained yet</translation>
    </message>
    <message>
        <location filename="../../datasets/stages.py" line="+48"/>
        <source>签收</source>
        <extracomment>Every stage a plan may name, in the one order they can run. The order action that finishes each stage (react is 签收, acknowledge). The management loop: 签收 → 处置 → 核查 → 结案 → 评价 (a plan without ``stages``). The emergency flow: 反应 → 核实 → 处置 → 结案. Stages an order can be returned to (退回) after they were done: the working stages. The words table (glossary) of the stages, in the &quot;vocabulary&quot; context: each stage&apos;s word and what it means — 核实 and 核查 are two stages, never one.</extracomment>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>部门接单、开始响应</source>
        <translation>the department takes the order and responds</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核实</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>确认事件真实发生（处置之前）</source>
        <translation>confirm that the event is real (before handling)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>处置</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>现场处置完成</source>
        <translation>the handling on site is done</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>核查</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>检查处置结果（处置之后）</source>
        <translation>check the result of the handling (after handling)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>工单完结</source>
        <translation>the order is finished</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>评价</source>
        <translation>Evaluate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>满意 / 基本满意 / 不满意</source>
        <translation>satisfied / fairly satisfied / unsatisfied</translation>
    </message>
</context>
</TS>
