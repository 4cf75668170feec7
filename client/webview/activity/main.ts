/**
 * The Activity webview: the seed's operations insights. It renders with lit and the
 * vscode-elements controls, asks the extension for data through the messages of
 * client/src/activity/activityMessages.ts, and keeps its filters and selection with
 * setState so hiding and showing the panel (or reloading the window) loses nothing.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { html, nothing, render, type TemplateResult } from 'lit';
import { classMap } from 'lit/directives/class-map.js';
import { ref } from 'lit/directives/ref.js';
import type {
  ActivityDay, ContainerChange, ListOperationsResult, OperationActivityResult, OperationItem, OperationLog, OperationResult,
} from '../../../server/src/protocol/catalogProtocol';
import { actionsFor, type HostMessage, type OperationAction, type RunsQuery, type WebviewMessage } from '../../src/activity/activityMessages';
import { countsText, elapsedMs, formatCount, formatDay, formatDuration, formatTime, plural, RESULT_ICON, RESULT_LABEL, RESULTS } from './format';
import { heatmapLayout, moveDay } from './heatmap';

interface VsCodeApi<State> {
  postMessage(message: WebviewMessage): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

/** What survives hide/show and reloads (webview state). */
interface SavedState {
  query: RunsQuery;
  selected?: number;
  /** Filters the detail's changes and logs. */
  detailFilter: string;
}

const PAGE_SIZE = 50;
const CHANGES_SHOWN = 100;
const vscode = acquireVsCodeApi<SavedState>();
const root = document.getElementById('activity')!;

const saved: SavedState = vscode.getState() ?? {
  query: { search: '', sort: 'created', order: 'desc', status: [], container: '', page: 1, size: PAGE_SIZE },
  detailFilter: '',
};

/** The page's model: `saved` plus what the host sent. */
const model = {
  project: '',
  datastores: [] as string[],
  trusted: true,
  runs: undefined as ListOperationsResult | undefined,
  activity: undefined as OperationActivityResult | undefined,
  detail: undefined as OperationItem | null | undefined,
  error: undefined as string | undefined,
  /** Actions sent and not yet answered, per operation. */
  pending: new Map<number, OperationAction>(),
  /** The heatmap square under the pointer or focus. */
  hover: undefined as { day: ActivityDay; left: number; top: number } | undefined,
  /** The heatmap square that holds the keyboard focus. */
  focusDay: undefined as string | undefined,
  changesShown: CHANGES_SHOWN,
  /** What each running operation is doing now, from the live notifications (`staging`, `describing`…). */
  phases: new Map<number, string>(),
  /** When the last runs or detail answer arrived: running operations count on from there. */
  receivedAt: Date.now(),
  /** Whether `detail` holds the operation's changes and logs (a row of the runs list has none). */
  detailLoaded: false,
  /** The operation whose Delete asks for confirmation. */
  confirmDelete: undefined as number | undefined,
};

const latest = { runs: 0, activity: 0, detail: 0 };
let seq = 0;

function send(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function save(): void {
  vscode.setState(saved);
}

function requestRuns(): void {
  latest.runs = ++seq;
  send({ type: 'runs', seq: latest.runs, query: saved.query });
}

function requestActivity(): void {
  latest.activity = ++seq;
  send({ type: 'activity', seq: latest.activity, datastore: saved.query.datastore });
}

function requestDetail(id: number): void {
  latest.detail = ++seq;
  send({ type: 'detail', seq: latest.detail, operationId: id });
}

/** Any filter changed: back to page 1, new runs (and a new heatmap when the datastore changed). */
function setQuery(change: Partial<RunsQuery>): void {
  const datastoreChanged = 'datastore' in change && change.datastore !== saved.query.datastore;
  saved.query = { ...saved.query, page: 1, ...change };
  save();
  requestRuns();
  if (datastoreChanged) requestActivity();
  update();
}

function select(id: number | undefined): void {
  saved.selected = id;
  model.changesShown = CHANGES_SHOWN;
  save();
  // The row's summary shows at once; its changes and logs come with the detail.
  model.detail = id === undefined ? undefined : model.runs?.items.find((item) => item.id === id);
  model.detailLoaded = false;
  if (id !== undefined) requestDetail(id);
  update();
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
/** Starts and ends of operations reload the lists, at most every 300 ms. */
function scheduleRefresh(): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    requestRuns();
    requestActivity();
    if (saved.selected !== undefined) requestDetail(saved.selected);
  }, 300);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      model.project = message.project;
      model.datastores = message.datastores;
      model.trusted = message.trusted;
      if (message.focusDatastore !== undefined) saved.query = { ...saved.query, datastore: message.focusDatastore, page: 1 };
      if (message.focusOperation !== undefined) {
        saved.selected = message.focusOperation;
        model.detail = undefined;
      }
      if (saved.query.datastore && !message.datastores.includes(saved.query.datastore)) saved.query = { ...saved.query, datastore: undefined };
      save();
      requestRuns();
      requestActivity();
      if (saved.selected !== undefined) requestDetail(saved.selected);
      break;
    case 'runs':
      if (message.seq !== latest.runs) return;
      model.runs = message.result;
      model.receivedAt = Date.now();
      model.error = undefined;
      break;
    case 'activity':
      if (message.seq !== latest.activity) return;
      model.activity = message.result;
      break;
    case 'detail':
      if (message.seq !== latest.detail) return;
      model.detail = message.item;
      model.detailLoaded = true;
      model.receivedAt = Date.now();
      break;
    case 'operationChanged': {
      const { params } = message;
      const row = model.runs?.items.find((item) => item.id === params.operationId);
      const live = row && row.result === params.result && params.result === 'running';
      for (const shown of [row, model.detail?.id === params.operationId ? model.detail : undefined]) {
        if (shown && params.progress) shown.progress = { ...shown.progress, done: params.progress.done, total: params.progress.total };
      }
      if (params.progress?.phase && params.result === 'running') model.phases.set(params.operationId, params.progress.phase);
      else if (params.result !== 'running') model.phases.delete(params.operationId);
      if (!live) scheduleRefresh();
      break;
    }
    case 'historyChanged':
      scheduleRefresh();
      break;
    case 'actionDone':
      model.pending.delete(message.operationId);
      if (message.ok && message.action === 'delete' && saved.selected === message.operationId) select(undefined);
      if (message.ok && message.newOperationId !== undefined && (message.action === 'rerun' || message.action === 'resume')) select(message.newOperationId);
      if (message.ok && message.action !== 'logs') scheduleRefresh();
      break;
    case 'error':
      model.error = message.message;
      break;
  }
  update();
});

// Running rows show their elapsed time; a tick keeps it current while any is shown.
setInterval(() => {
  if (model.runs?.items.some((item) => item.result === 'running') || model.detail?.result === 'running') update();
}, 1000);

function update(): void {
  render(view(), root);
  root.setAttribute('aria-busy', model.runs === undefined ? 'true' : 'false');
}

function view(): TemplateResult {
  return html`
    ${toolbar()}
    ${model.error ? html`<div class="error" role="alert"><vscode-icon name="error"></vscode-icon><span>${model.error}</span></div>` : nothing}
    ${heatmap()}
    <div class=${classMap({ columns: true, 'with-detail': saved.selected !== undefined })}>
      <section class="runs" aria-label="Runs">${filters()}<div class="table-scroll">${runsTable()}</div>${pager()}</section>
      ${saved.selected !== undefined ? html`<section class="detail" aria-label="Operation detail" aria-live="polite">${detail()}</section>` : nothing}
    </div>`;
}

function toolbar(): TemplateResult {
  const counts = new Map((model.runs?.facets?.datastores ?? []).map((d) => [d.name, d.count]));
  const label = (name: string): string => (counts.has(name) ? `${name} (${formatCount(counts.get(name)!)})` : name);
  return html`
    <header class="toolbar">
      <h1>Activity <span class="project">${model.project}</span></h1>
      <div class="toolbar-actions">
        <label class="inline-label" for="datastore">Datastore</label>
        <vscode-single-select id="datastore" aria-label="Datastore"
          .value=${saved.query.datastore ?? ''}
          @change=${(e: Event) => setQuery({ datastore: (e.target as HTMLSelectElement).value || undefined })}>
          <vscode-option value="" ?selected=${!saved.query.datastore}>All datastores</vscode-option>
          ${model.datastores.map((name) => html`<vscode-option value=${name} ?selected=${saved.query.datastore === name}>${label(name)}</vscode-option>`)}
        </vscode-single-select>
        <vscode-icon name="refresh" action-icon label="Refresh" title="Refresh" @click=${() => { requestRuns(); requestActivity(); }}></vscode-icon>
      </div>
    </header>`;
}

function heatmap(): TemplateResult {
  const activity = model.activity;
  if (!activity) return html`<section class="heatmap" aria-label="Activity heatmap"><vscode-progress-bar indeterminate aria-label="Loading activity"></vscode-progress-bar></section>`;
  const layout = heatmapLayout(activity.days);
  const monthAt = new Map(layout.months.map((m) => [m.week, m.label]));
  const day = saved.query.day;
  const focusDay = model.focusDay ?? day ?? activity.days.at(-1)?.date;
  const totals = activity.totals;
  return html`
    <section class="heatmap" aria-label="Activity heatmap">
      <div class="heatmap-head">
        <h2>${plural(totals.total, 'operation')} in the last year</h2>
        <span class="totals">${RESULTS.filter((r) => totals[r] > 0).map((r) => html`<span class="total ${r}"><vscode-icon name=${RESULT_ICON[r]} size="14"></vscode-icon>${formatCount(totals[r])} ${RESULT_LABEL[r].toLowerCase()}</span>`)}</span>
        <span class="hint">UTC days · click a square to filter the runs</span>
      </div>
      <div class="heatmap-scroll">
        <div class="heatmap-grid" role="grid" aria-label="Operations per UTC day; arrow keys move, Enter filters the runs to that day"
          @mouseleave=${() => { model.hover = undefined; update(); }}>
          <div class="months" role="presentation">
            ${layout.weeks.map((_, week) => html`<span class="month">${monthAt.get(week) ?? ''}</span>`)}
          </div>
          <div class="weekdays" role="presentation"><span>Mon</span><span></span><span>Wed</span><span></span><span>Fri</span><span></span><span></span></div>
          <div class="weeks" role="rowgroup">
            ${layout.weeks.map((week) => html`<div class="week" role="row">${week.map((cell) => cell ? dayCell(cell, cell.date === day, cell.date === focusDay) : html`<span class="day empty" role="presentation"></span>`)}</div>`)}
          </div>
          ${model.hover ? html`<div class="day-tooltip" role="tooltip" ${ref(placeTooltip)}>
            <strong>${formatDay(model.hover.day.date)}</strong><br>${countsText(model.hover.day)}</div>` : nothing}
        </div>
        <div class="legend" aria-hidden="true">Less ${[0, 1, 2, 3, 4].map((level) => html`<span class="day level-${level}"></span>`)} More</div>
      </div>
    </section>`;
}

/** Positions the tooltip over its square through the CSSOM: the CSP allows no style attribute. */
function placeTooltip(element: Element | undefined): void {
  if (!(element instanceof HTMLElement) || !model.hover) return;
  element.style.setProperty('left', `${model.hover.left}px`);
  element.style.setProperty('top', `${model.hover.top}px`);
}

function dayCell(day: ActivityDay, selected: boolean, focused: boolean): TemplateResult {
  const label = `${formatDay(day.date)}: ${countsText(day)}${selected ? ' (filtering the runs)' : ''}`;
  const show = (event: Event): void => {
    const cell = event.currentTarget as HTMLElement;
    const grid = cell.closest('.heatmap-grid') as HTMLElement;
    const a = cell.getBoundingClientRect();
    const b = grid.getBoundingClientRect();
    model.hover = { day, left: a.left - b.left + a.width / 2, top: a.top - b.top };
    update();
  };
  return html`<button class=${classMap({ day: true, [`level-${day.level}`]: true, selected })} role="gridcell"
    data-date=${day.date} aria-label=${label} aria-selected=${selected ? 'true' : 'false'} tabindex=${focused ? 0 : -1}
    @mouseenter=${show} @focus=${show} @blur=${() => { model.hover = undefined; update(); }}
    @click=${() => toggleDay(day.date)}
    @keydown=${(e: KeyboardEvent) => dayKey(e, day.date)}></button>`;
}

function toggleDay(date: string): void {
  model.focusDay = date;
  setQuery({ day: saved.query.day === date ? undefined : date });
}

function dayKey(event: KeyboardEvent, date: string): void {
  const days = model.activity?.days ?? [];
  const moves: Record<string, number> = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -7, ArrowRight: 7, Home: -days.length, End: days.length };
  if (!(event.key in moves)) return;
  event.preventDefault();
  model.focusDay = moveDay(days, date, moves[event.key]);
  update();
  (root.querySelector(`.day[data-date="${model.focusDay}"]`) as HTMLElement | null)?.focus();
}

let typingTimer: ReturnType<typeof setTimeout> | undefined;
function typed(change: (value: string) => Partial<RunsQuery>): (event: Event) => void {
  return (event) => {
    const value = (event.target as HTMLInputElement).value;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => setQuery(change(value)), 250);
  };
}

function filters(): TemplateResult {
  const q = saved.query;
  const facets = model.runs?.facets;
  return html`
    <div class="filters" role="search" aria-label="Search and filter the runs">
      <vscode-textfield class="search" placeholder="Search: operation ID (42), datastore, schedule, author" aria-label="Search operations by ID"
        .value=${q.search} @input=${typed((search) => ({ search }))}>
        <vscode-icon slot="content-before" name="search"></vscode-icon>
      </vscode-textfield>
      <div class="filter-row">
        <span class="field"><label class="inline-label" for="sort">Sort by</label>
        <vscode-single-select id="sort" aria-label="Sort by" .value=${q.sort} @change=${(e: Event) => setQuery({ sort: (e.target as HTMLSelectElement).value as RunsQuery['sort'] })}>
          <vscode-option value="created" ?selected=${q.sort === 'created'}>Created date</vscode-option>
          <vscode-option value="duration" ?selected=${q.sort === 'duration'}>Duration</vscode-option>
        </vscode-single-select>
        <vscode-icon action-icon name=${q.order === 'desc' ? 'arrow-down' : 'arrow-up'}
          label=${q.order === 'desc' ? (q.sort === 'created' ? 'Newest first' : 'Longest first') : (q.sort === 'created' ? 'Oldest first' : 'Shortest first')}
          title=${q.order === 'desc' ? (q.sort === 'created' ? 'Newest first' : 'Longest first') : (q.sort === 'created' ? 'Oldest first' : 'Shortest first')}
          @click=${() => setQuery({ order: q.order === 'desc' ? 'asc' : 'desc' })}></vscode-icon></span>
        <span class="field"><label class="inline-label" for="type">Type</label>
        <vscode-single-select id="type" aria-label="Operation type" .value=${q.type ?? ''} @change=${(e: Event) => setQuery({ type: ((e.target as HTMLSelectElement).value || undefined) as RunsQuery['type'] })}>
          <vscode-option value="" ?selected=${!q.type}>All types</vscode-option>
          <vscode-option value="catalog" ?selected=${q.type === 'catalog'}>Sync (catalog)${facets ? ` (${formatCount(facets.type.catalog)})` : ''}</vscode-option>
        </vscode-single-select></span>
        <span class="field"><label class="inline-label" for="container">Table</label>
        <vscode-textfield id="container" class="container" placeholder="table, view or file" aria-label="Filter by table or file"
          .value=${q.container} @input=${typed((container) => ({ container }))}></vscode-textfield></span>
      </div>
      <div class="filter-row statuses" role="group" aria-label="Filter by status">
        ${RESULTS.map((result) => {
          const on = q.status.includes(result);
          const count = facets?.status[result];
          return html`<button class=${classMap({ chip: true, [result]: true, on })} aria-pressed=${on ? 'true' : 'false'}
            @click=${() => setQuery({ status: on ? q.status.filter((s) => s !== result) : [...q.status, result] })}>
            <vscode-icon name=${RESULT_ICON[result]} size="14"></vscode-icon>${RESULT_LABEL[result]}${count !== undefined ? html` <span class="count">${formatCount(count)}</span>` : nothing}</button>`;
        })}
        ${q.day ? html`<button class="chip day-chip on" aria-label=${`Day ${q.day}: clear the day filter`} @click=${() => setQuery({ day: undefined })}>
          <vscode-icon name="calendar" size="14"></vscode-icon>${formatDay(q.day)} <vscode-icon name="close" size="14"></vscode-icon></button>` : nothing}
        ${hasFilters() ? html`<vscode-button secondary class="clear" @click=${() => setQuery({ search: '', status: [], type: undefined, container: '', day: undefined })}>Clear filters</vscode-button>` : nothing}
      </div>
    </div>`;
}

function hasFilters(): boolean {
  const q = saved.query;
  return q.search.trim() !== '' || q.status.length > 0 || q.type !== undefined || q.container.trim() !== '' || q.day !== undefined;
}

function runsTable(): TemplateResult {
  const runs = model.runs;
  if (!runs) return html`<vscode-progress-bar indeterminate aria-label="Loading runs"></vscode-progress-bar>`;
  if (runs.items.length === 0) {
    return html`<p class="empty-state">${hasFilters() || saved.query.datastore ? 'No operation matches these filters.' : 'No operation yet: preview or sync a datastore from the Datastores view, or run cac sync.'}</p>`;
  }
  const active = runs.items.some((item) => item.id === saved.selected) ? saved.selected : runs.items[0].id;
  return html`
    <table class="runs-table" aria-label=${`Runs: ${plural(runs.total, 'operation')}`} aria-rowcount=${runs.total}>
      <thead><tr>
        <th scope="col"><span class="sr-only">Status</span></th><th scope="col">Operation</th><th scope="col">Datastore</th>
        <th scope="col" aria-sort=${saved.query.sort === 'created' ? (saved.query.order === 'desc' ? 'descending' : 'ascending') : 'none'}>Created</th>
        <th scope="col" aria-sort=${saved.query.sort === 'duration' ? (saved.query.order === 'desc' ? 'descending' : 'ascending') : 'none'}>Duration</th>
        <th scope="col">Triggered by</th><th scope="col">Changes</th>
      </tr></thead>
      <tbody>${runs.items.map((item) => runRow(item, item.id === active))}</tbody>
    </table>`;
}

function runRow(item: OperationItem, tabStop: boolean): TemplateResult {
  const selected = item.id === saved.selected;
  return html`<tr class=${classMap({ run: true, selected })} data-id=${item.id} tabindex=${tabStop ? 0 : -1} aria-selected=${selected ? 'true' : 'false'}
      @click=${() => select(item.id)} @keydown=${(e: KeyboardEvent) => rowKey(e, item.id)}>
    <td class="status ${item.result}" title=${RESULT_LABEL[item.result]}>${statusIcon(item.result)}<span class="sr-only">${RESULT_LABEL[item.result]}</span></td>
    <td class="id">#${item.id}</td>
    <td>${item.datastore.name}</td>
    <td title=${item.created}>${formatTime(item.created)}</td>
    <td class="duration">${item.result === 'running' ? progress(item, true) : formatDuration(elapsedMs(item, model.receivedAt, Date.now()))}</td>
    <td class="trigger" title=${item.schedule ? `Schedule ${item.schedule}, run by ${item.triggeredBy}` : `Started by ${item.triggeredBy}`}>${item.schedule
      ? html`<vscode-icon name="watch" size="14" aria-hidden="true"></vscode-icon>${item.schedule}`
      : html`<vscode-icon name="account" size="14" aria-hidden="true"></vscode-icon>${item.triggeredBy}`}</td>
    <td>${changesText(item)}</td>
  </tr>`;
}

function rowKey(event: KeyboardEvent, id: number): void {
  const items = model.runs?.items ?? [];
  const index = items.findIndex((item) => item.id === id);
  const target = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 }[event.key];
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    select(id);
    return;
  }
  if (target === undefined || !items[target]) return;
  event.preventDefault();
  select(items[target].id);
  (root.querySelector(`tr.run[data-id="${items[target].id}"]`) as HTMLElement | null)?.focus();
}

function statusIcon(result: OperationResult): TemplateResult {
  return html`<vscode-icon name=${RESULT_ICON[result]} ?spin=${result === 'running'} aria-hidden="true"></vscode-icon>`;
}

function progress(item: OperationItem, compact: boolean): TemplateResult {
  if (item.result !== 'running') return finishedProgress(item);
  const { done, total } = item.progress;
  const phase = model.phases.get(item.id) ?? item.progress.phase;
  const counted = total ? `${formatCount(done)} / ${formatCount(total)}` : done > 0 ? formatCount(done) : '';
  const text = [phase, counted].filter(Boolean).join(' ') || 'starting';
  const elapsed = formatDuration(elapsedMs(item, model.receivedAt, Date.now()));
  return html`<div class=${classMap({ progress: true, compact })}>
    <vscode-progress-bar .value=${total ? done : undefined} .max=${total ?? 1} ?indeterminate=${!total} aria-label=${`Progress: ${text}`}></vscode-progress-bar>
    <span class="progress-text">${text}${compact ? ` · ${elapsed}` : ''}</span></div>`;
}

/** A finished operation's bar: full when it completed, where it stopped when aborted or failed. */
function finishedProgress(item: OperationItem): TemplateResult {
  // Only a checkpoint says how far the writes got: other progress counts what discovery read.
  const stopped = item.checkpoint;
  const complete = item.result === 'success' || item.result === 'warning';
  const text = complete ? 'Completed' : stopped ? `Stopped at ${formatCount(stopped.written)} of ${formatCount(stopped.total)}` : item.result === 'failure' ? 'Failed before writing' : 'Stopped before writing';
  return html`<div class="progress">
    <vscode-progress-bar .value=${complete ? 1 : stopped && stopped.total > 0 ? stopped.written / stopped.total : 0} .max=${1} aria-label=${`Progress: ${text}`}></vscode-progress-bar>
    <span class="progress-text">${text}</span></div>`;
}

function changesText(item: OperationItem): TemplateResult | string {
  const s = item.summary;
  if (!s) return item.result === 'running' ? '…' : '—';
  const added = s.new + s.recreated;
  const removed = s.missing + s.pruned + s.removed;
  if (added + s.changed + removed === 0) return html`<span class="muted">no changes</span>`;
  return html`<span class="delta">${added ? html`<span class="added" title="new or recreated">+${formatCount(added)}</span>` : nothing}
    ${s.changed ? html`<span class="changed" title="changed">~${formatCount(s.changed)}</span>` : nothing}
    ${removed ? html`<span class="removed" title="missing, pruned or removed">−${formatCount(removed)}</span>` : nothing}</span>`;
}

function pager(): TemplateResult | typeof nothing {
  const runs = model.runs;
  if (!runs || runs.total <= runs.size) return runs && runs.total > 0 ? html`<div class="pager">${plural(runs.total, 'operation')}</div>` : nothing;
  const first = (runs.page - 1) * runs.size + 1;
  const last = Math.min(runs.total, runs.page * runs.size);
  const go = (page: number): void => {
    saved.query = { ...saved.query, page };
    save();
    requestRuns();
  };
  return html`<div class="pager">
    <vscode-button secondary icon="chevron-left" ?disabled=${runs.page <= 1} @click=${() => go(runs.page - 1)}>Previous</vscode-button>
    <span>${formatCount(first)}–${formatCount(last)} of ${formatCount(runs.total)}</span>
    <vscode-button secondary icon-after="chevron-right" ?disabled=${runs.page >= runs.pages} @click=${() => go(runs.page + 1)}>Next</vscode-button>
  </div>`;
}

const ACTION_LABEL: Record<OperationAction, string> = { abort: 'Abort', resume: 'Resume', rerun: 'Rerun', delete: 'Delete', logs: 'Logs' };
const ACTION_ICON: Record<OperationAction, string> = { abort: 'debug-stop', resume: 'debug-continue', rerun: 'debug-restart', delete: 'trash', logs: 'output' };
/** The actions that connect to a source, which the server refuses in Restricted Mode. */
const NEEDS_TRUST: ReadonlySet<OperationAction> = new Set(['resume', 'rerun']);

function detail(): TemplateResult {
  if (saved.selected === undefined) return html`<p class="empty-state">Select a run to see its parameters, what it changed and its logs.</p>`;
  const item = model.detail;
  if (item === undefined) return html`<vscode-progress-bar indeterminate aria-label="Loading the operation"></vscode-progress-bar>`;
  if (item === null) return html`<p class="empty-state">Operation #${saved.selected} is no longer in the history.</p>`;
  const pending = model.pending.get(item.id);
  const table = item.datastore.storeType === 'dfs' ? 'Not applicable (file store)' : included(item, 'table');
  const views = item.datastore.storeType === 'dfs' ? 'Not applicable (file store)' : included(item, 'view');
  const rows: [string, TemplateResult | string][] = [
    ['Operation ID', `#${item.id}`],
    ['Operation Type', 'Sync (catalog)'],
    ['Timestamp', html`<span title=${item.startTime}>${formatTime(item.startTime)}</span>`],
    ['Progress Bar', progress(item, false)],
    ['Triggered By', item.triggeredBy],
    ['Schedule', item.schedule ?? 'Not scheduled (manual run)'],
    ['Prune', item.prune ? (item.forcePrune ? 'Enabled (forced)' : 'Enabled') : 'Disabled'],
    ['Recreate', item.recreate ? 'Enabled' : 'Disabled'],
    ['Table', table],
    ['Views', views],
    ['Datastore', `${item.datastore.name} (${item.datastore.type})`],
    ['Duration', formatDuration(elapsedMs(item, model.receivedAt, Date.now()))],
  ];
  if (item.checkpoint && item.result === 'aborted') rows.push(['Stopped at', `${formatCount(item.checkpoint.written)} of ${formatCount(item.checkpoint.total)} snapshot files written`]);
  if (item.resumedAt) rows.push(['Resumed', formatTime(item.resumedAt)]);
  if (item.message) rows.push(['Message', item.message]);
  return html`
    <header class="detail-head">
      <h2 class="status ${item.result}">${statusIcon(item.result)} Operation #${item.id}
        <vscode-badge variant="counter" class="result-badge ${item.result}">${RESULT_LABEL[item.result]}</vscode-badge></h2>
      ${model.confirmDelete === item.id ? html`<div class="confirm" role="alertdialog" aria-label="Confirm delete">
        <span>Delete operation #${item.id} from the history? Its snapshots stay as they are.</span>
        <vscode-button data-action="confirm-delete" @click=${() => { model.confirmDelete = undefined; act('delete', item.id); }}>Delete</vscode-button>
        <vscode-button secondary @click=${() => { model.confirmDelete = undefined; update(); }}>Cancel</vscode-button>
      </div>` : html`<div class="actions" role="toolbar" aria-label="Operation actions">
        ${actionsFor(item.result).map((action) => html`<vscode-button ?secondary=${action !== actionsFor(item.result)[0]} icon=${ACTION_ICON[action]}
          ?disabled=${pending !== undefined || (!model.trusted && NEEDS_TRUST.has(action))}
          title=${!model.trusted && NEEDS_TRUST.has(action) ? 'Restricted Mode: trust the workspace to run syncs' : `${ACTION_LABEL[action]} operation #${item.id}`}
          data-action=${action}
          @click=${() => (action === 'delete' ? confirmDelete(item.id) : act(action, item.id))}>${pending === action ? `${ACTION_LABEL[action]}…` : ACTION_LABEL[action]}</vscode-button>`)}
        <vscode-icon action-icon name="close" label="Close the detail" title="Close" @click=${() => select(undefined)}></vscode-icon>
      </div>`}
    </header>
    <table class="params" aria-label="Parameters"><tbody>
      ${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}
    </tbody></table>
    <vscode-textfield class="detail-filter" placeholder="Filter changes and logs" aria-label="Filter the changes and logs"
      .value=${saved.detailFilter} @input=${(e: Event) => { saved.detailFilter = (e.target as HTMLInputElement).value; save(); update(); }}>
      <vscode-icon slot="content-before" name="filter"></vscode-icon>
    </vscode-textfield>
    ${model.detailLoaded ? html`${changesSection(item)}${logsSection(item)}` : html`<vscode-progress-bar indeterminate aria-label="Loading the changes and logs"></vscode-progress-bar>`}`;
}

function included(item: OperationItem, kind: 'table' | 'view'): string {
  return (item.include ?? []).includes(kind) ? 'Included' : 'Excluded';
}

function confirmDelete(id: number): void {
  model.confirmDelete = id;
  update();
}

function act(action: OperationAction, id: number): void {
  model.pending.set(id, action);
  send({ type: 'action', action, operationId: id });
  update();
}

const CHANGE_LABEL: Record<string, string> = {
  new: 'new', changed: 'changed', recreated: 'recreated', missing: 'missing', pruned: 'pruned', removed: 'removed', still_removed: 'still removed', unchanged: 'unchanged',
};

function matches(texts: (string | undefined)[], filter: string): boolean {
  return filter === '' || texts.some((t) => t?.toLowerCase().includes(filter));
}

function changesSection(item: OperationItem): TemplateResult {
  const filter = saved.detailFilter.trim().toLowerCase();
  const changes = item.changes.filter((c) => matches([c.name, c.action, c.kind, ...(c.details ?? [])], filter));
  const s = item.summary;
  const counts = s ? (Object.keys(CHANGE_LABEL) as (keyof typeof s)[]).filter((k) => k !== 'unchanged' && s[k] > 0).map((k) => `${formatCount(s[k])} ${CHANGE_LABEL[k]}`) : [];
  return html`<section class="changes" aria-label="Changes">
    <h3>Changes <span class="muted">${counts.length ? counts.join(' · ') : item.result === 'running' ? 'in progress' : 'none'}${s && s.unchanged ? ` · ${formatCount(s.unchanged)} unchanged` : ''}</span></h3>
    ${changes.length === 0 ? (item.changes.length > 0 ? html`<p class="muted">No change matches “${saved.detailFilter}”.</p>` : nothing) : html`
      <ul class="change-list">${changes.slice(0, model.changesShown).map((c) => changeRow(c, filter))}</ul>
      ${changes.length > model.changesShown ? html`<vscode-button secondary @click=${() => { model.changesShown += CHANGES_SHOWN; update(); }}>Show ${formatCount(Math.min(CHANGES_SHOWN, changes.length - model.changesShown))} more of ${formatCount(changes.length - model.changesShown)}</vscode-button>` : nothing}`}
  </section>`;
}

function changeRow(change: ContainerChange, filter: string): TemplateResult {
  const gone = change.action === 'pruned' || change.action === 'removed' || change.action === 'still_removed';
  return html`<li class="change ${change.action}">
    <span class="action-tag ${change.action}">${CHANGE_LABEL[change.action] ?? change.action}</span>
    <span class="name">${highlight(change.name, filter)}</span>${change.kind ? html` <span class="muted">${change.kind}</span>` : nothing}
    ${change.snapshotUri ? html`<span class="links">
      ${gone ? nothing : html`<a href="#" role="button" @click=${(e: Event) => { e.preventDefault(); send({ type: 'openSnapshot', uri: change.snapshotUri! }); }}>Snapshot</a>`}
      <a href="#" role="button" @click=${(e: Event) => { e.preventDefault(); send({ type: 'openDiff', uri: change.snapshotUri! }); }}>${gone ? 'Last committed' : 'Diff'}</a></span>` : nothing}
    ${change.details?.length ? html`<ul class="change-details">${change.details.map((d) => html`<li>${highlight(d, filter)}</li>`)}</ul>` : nothing}
  </li>`;
}

const LOG_ICON: Record<OperationLog['level'], string> = { error: 'error', warning: 'warning', info: 'info' };

function logsSection(item: OperationItem): TemplateResult {
  const filter = saved.detailFilter.trim().toLowerCase();
  const logs = item.logs.filter((log) => matches([log.message, log.code, log.container, log.file], filter));
  return html`<section class="logs" aria-label="Logs">
    <h3>Logs <span class="muted">${filter && logs.length !== item.logs.length ? `${formatCount(logs.length)} of ${formatCount(item.logs.length)}` : formatCount(item.logs.length)}</span></h3>
    ${logs.length === 0 ? html`<p class="muted">${item.logs.length === 0 ? 'Nothing was logged.' : `No log matches “${saved.detailFilter}”.`}</p>` : html`
      <ul class="log-list">${logs.map((log) => html`<li class="log ${log.level}">
        <vscode-icon name=${LOG_ICON[log.level]} aria-label=${log.level}></vscode-icon>
        <code class="code">${log.code}</code>
        <span class="message">${highlight(log.message, filter)}</span>
        ${log.container ?? log.file ? html`<span class="muted where">${highlight(log.container ?? log.file ?? '', filter)}</span>` : nothing}
      </li>`)}</ul>`}
  </section>`;
}

/** The text with each match of the filter marked. */
function highlight(text: string, filter: string): TemplateResult | string {
  if (!filter) return text;
  const lower = text.toLowerCase();
  const parts: (TemplateResult | string)[] = [];
  let at = 0;
  for (let i = lower.indexOf(filter); i >= 0; i = lower.indexOf(filter, i + filter.length)) {
    parts.push(text.slice(at, i), html`<mark>${text.slice(i, i + filter.length)}</mark>`);
    at = i + filter.length;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(at));
  return html`${parts}`;
}

root.textContent = '';
update();
send({ type: 'ready' });
