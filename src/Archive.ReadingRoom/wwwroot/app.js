// Phòng đọc — the researcher reading room. A client of the Archive REST API: everything shown comes from the API
// with the caller's own rights. Record text is only ever put into the page as text nodes; highlight fragments (HTML
// with <em> around matches, the rest encoded by the engine) are parsed into text nodes and <em> elements only.
'use strict';

(() => {
  const api = document.documentElement.dataset.api || '/api';
  const $ = (id) => document.getElementById(id);

  // The reading room serves accessioned, public record files (the API enforces the same rule for researchers and
  // anonymous readers; these filters keep staff who open the page to the same view).
  const BASE_FILTERS = ['status:accessioned', 'access:Public'];
  const FACETS = ['fonds', 'year', 'type'];

  const state = { q: '', selected: { fonds: new Set(), year: new Set(), type: new Set() }, cursor: null, searched: false };
  const names = { fonds: new Map() };
  let viewerUrl = null;

  // ------------------------------------------------------------------ helpers

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = String(v);
        else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  function decodeEntities(s) {
    return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return Object.prototype.hasOwnProperty.call(ENTITIES, e.toLowerCase()) ? ENTITIES[e.toLowerCase()] : m;
    });
  }

  // A highlight fragment -> text nodes and <em> elements, nothing else (any other markup stays visible text).
  function fragmentNodes(fragment) {
    const out = document.createDocumentFragment();
    const parts = String(fragment).split(/(<em>|<\/em>)/i);
    let inEm = false;
    for (const part of parts) {
      if (/^<em>$/i.test(part)) { inEm = true; continue; }
      if (/^<\/em>$/i.test(part)) { inEm = false; continue; }
      if (!part) continue;
      const text = document.createTextNode(decodeEntities(part));
      out.append(inEm ? el('em', null, text) : text);
    }
    return out;
  }

  class ApiError extends Error {
    constructor(status, detail) { super(detail || ('HTTP ' + status)); this.status = status; }
  }

  function messageFor(err) {
    switch (err && err.status) {
      case 401: return 'Bạn cần đăng nhập để xem nội dung này (401).';
      case 403: return 'Bạn không có quyền xem nội dung này (403).';
      case 404: return 'Không tìm thấy hồ sơ hoặc tài liệu, hoặc tài liệu không thuộc diện phục vụ độc giả (404).';
      case 429: return 'Có quá nhiều yêu cầu. Vui lòng thử lại sau ít phút (429).';
      case 400: case 422: return 'Yêu cầu tìm kiếm không hợp lệ: ' + (err.message || '') ;
      default: return err && err.status ? 'Đã có lỗi khi tải dữ liệu (mã ' + err.status + '). Vui lòng thử lại.' : 'Không kết nối được với máy chủ. Vui lòng thử lại.';
    }
  }

  function showMessage(text) {
    const m = $('message');
    m.textContent = text || '';
    m.hidden = !text;
  }

  // A researcher's API key (khóa độc giả), kept for this browser tab only and sent as X-Api-Key; without one the page
  // reads as an anonymous reader (a host with its own sign-in needs none).
  const KEY = 'archive.readerKey';
  const readerKey = () => { try { return sessionStorage.getItem(KEY) || ''; } catch (e) { return ''; } };

  async function fetchChecked(url, accept, init) {
    let r;
    const headers = { Accept: accept };
    if (readerKey()) headers['X-Api-Key'] = readerKey();
    if (init && init.body) headers['Content-Type'] = 'application/json';
    try {
      r = await fetch(url, { method: (init && init.method) || 'GET', body: init && init.body, headers, credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, 'network');
    }
    if (!r.ok) {
      let detail = '';
      let errors = [];
      try { const p = await r.json(); detail = p.detail || p.title || ''; errors = p.errors || []; } catch (e) { /* not JSON */ }
      const err = new ApiError(r.status, detail);
      err.errors = errors;
      throw err;
    }
    return r;
  }

  async function getJson(path) {
    const r = await fetchChecked(api + path, 'application/json');
    return r.json();
  }

  const enc = encodeURIComponent;
  const contentPath = (fileCode, doc, name) => api + '/record-files/' + enc(fileCode) + '/documents/' + doc + '/contents/' + enc(name);

  function formatDate(d) {
    if (!d) return '';
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d);
    return m ? m[3] + '/' + m[2] + '/' + m[1] : d;
  }

  function formatSize(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1).replace('.', ',') + ' KB';
    return (n / 1024 / 1024).toFixed(1).replace('.', ',') + ' MB';
  }

  const TEXT_STATUS = {
    NotApplicable: 'Không có lớp văn bản',
    Extracted: 'Đã trích xuất văn bản',
    Empty: 'Không có văn bản',
    Failed: 'Không đọc được văn bản',
    PendingOcr: 'Đang chờ nhận dạng ký tự (OCR)',
    Recognized: 'Đã nhận dạng ký tự (OCR)',
    RecognizedEmpty: 'OCR không tìm thấy chữ',
    OcrFailed: 'Nhận dạng ký tự thất bại',
    OcrUnavailable: 'Chưa cài đặt công cụ nhận dạng ký tự',
  };
  const RIGHTS = { Public: 'Công khai', Conditional: 'Sử dụng có điều kiện', Secret: 'Mật' };

  // ------------------------------------------------------------------ search

  function searchUrl() {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    p.set('highlight', 'true');
    p.set('pageSize', '20');
    p.set('facetSize', '30');
    for (const f of FACETS) p.append('facet', f);
    for (const f of BASE_FILTERS) p.append('filter', f);
    for (const f of FACETS) for (const v of state.selected[f]) p.append('filter', f + ':' + v);
    if (state.cursor) p.set('cursor', state.cursor);
    return '/search?' + p.toString();
  }

  async function runSearch(append) {
    showMessage('');
    if (!append) state.cursor = null;
    $('search-button').disabled = true;
    try {
      const res = await getJson(searchUrl());
      state.searched = true;
      renderFacets(res.facets || {});
      renderHits(res, append);
      state.cursor = res.nextCursor || null;
      $('more').hidden = !state.cursor;
      if (!append) await Promise.all([loadConditional(), loadMyRequests()]);
    } catch (err) {
      showMessage(messageFor(err));
    } finally {
      $('search-button').disabled = false;
    }
  }

  function renderFacets(facets) {
    let any = false;
    for (const box of document.querySelectorAll('.facet')) {
      const field = box.dataset.field;
      const ul = box.querySelector('ul');
      ul.replaceChildren();
      const values = facets[field] || [];
      // Selected values stay listed even when the current results have none of them.
      const seen = new Set(values.map((v) => v.value));
      const all = values.slice();
      for (const v of state.selected[field]) if (!seen.has(v)) all.push({ value: v, count: 0 });
      for (const v of all) {
        const pressed = state.selected[field].has(v.value);
        any = any || pressed;
        const label = field === 'fonds' && names.fonds.get(v.value) ? names.fonds.get(v.value) + ' (' + v.value + ')' : v.value;
        ul.append(el('li', null, el('button', {
          type: 'button', 'aria-pressed': pressed ? 'true' : 'false', 'data-value': v.value,
          onclick: () => { toggle(field, v.value); },
        }, label, ' ', el('span', { class: 'count', text: '(' + v.count + ')' }))));
      }
      if (all.length === 0) ul.append(el('li', { class: 'meta', text: '—' }));
    }
    $('clear-filters').hidden = !any;
  }

  function toggle(field, value) {
    const set = state.selected[field];
    if (set.has(value)) set.delete(value); else set.add(value);
    runSearch(false);
  }

  function recordHash(fileCode, doc, page) {
    let h = '#/ho-so/' + enc(fileCode);
    if (doc) h += '/van-ban/' + doc;
    if (page) h += '/trang/' + page;
    return h;
  }

  function renderHits(res, append) {
    const list = $('hits');
    if (!append) list.replaceChildren();
    const total = res.total || 0;
    $('summary').textContent = total === 0
      ? 'Không tìm thấy kết quả nào' + (state.q ? ' cho “' + state.q + '”.' : '.')
      : 'Tìm thấy ' + total.toLocaleString('vi-VN') + ' kết quả' + (state.q ? ' cho “' + state.q + '”' : '') + '.';
    for (const hit of res.hits || []) {
      const isDoc = hit.kind === 'Document';
      const fileCode = isDoc ? hit.parentId : hit.id;
      const doc = isDoc ? hit.id.slice(hit.id.lastIndexOf('/') + 1) : null;
      const firstPage = (hit.highlights || []).map((h) => h.page).find((p) => p);
      const title = hit.title || hit.subject || hit.id;
      const meta = el('p', { class: 'meta' },
        el('span', { class: 'kind', text: isDoc ? 'Văn bản' : 'Hồ sơ' }),
        hit.codeNumber ? el('span', { text: 'Số: ' + hit.codeNumber }) : null,
        hit.documentType ? el('span', { text: hit.documentType }) : null,
        hit.date ? el('span', { text: formatDate(hit.date) }) : null,
        hit.fondsCode ? el('span', { text: names.fonds.get(hit.fondsCode) || ('Phông ' + hit.fondsCode) }) : null,
        el('span', { text: 'Mã hồ sơ ' + fileCode }));
      const item = el('li', { class: 'hit', 'data-id': hit.id },
        el('h3', null, el('a', { href: recordHash(fileCode, doc, firstPage) , text: title })),
        meta,
        isDoc && hit.subject && hit.subject !== title ? el('p', { class: 'snippet', text: hit.subject }) : null);
      for (const h of hit.highlights || []) {
        item.append(el('p', { class: 'snippet', 'data-field': h.field },
          h.page ? el('span', { class: 'page', text: 'Trang ' + h.page }) : null,
          fragmentNodes(h.fragment)));
      }
      list.append(item);
    }
  }

  // ------------------------------------------------------------------ record file view

  function field(dl, label, value) {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    dl.append(el('dt', { text: label }), el('dd', { text: Array.isArray(value) ? value.join(', ') : value }));
  }

  async function showRecord(fileCode, doc, page) {
    $('search-view').hidden = true;
    $('record-view').hidden = false;
    closeViewer();
    const box = $('record');
    box.replaceChildren(el('p', { class: 'meta', text: 'Đang tải hồ sơ…' }));
    showMessage('');
    let rf;
    try {
      rf = await getJson('/record-files/' + enc(fileCode));
    } catch (err) {
      box.replaceChildren();
      showMessage(messageFor(err));
      return;
    }
    if (!rf.accessionedAt || (rf.rights !== 'Public' && rf.rights !== 'Conditional')) {
      box.replaceChildren();
      showMessage('Hồ sơ này không thuộc diện phục vụ độc giả tại phòng đọc.');
      return;
    }
    const dl = el('dl', { class: 'fields' });
    field(dl, 'Mã hồ sơ', rf.fileCode);
    field(dl, 'Phông', names.fonds.get(rf.fondsCode) ? names.fonds.get(rf.fondsCode) + ' (' + rf.fondsCode + ')' : rf.fondsCode);
    field(dl, 'Mã cơ quan', rf.organId);
    field(dl, 'Thời gian', [formatDate(rf.startDate), formatDate(rf.endDate)].filter(Boolean).join(' – '));
    field(dl, 'Thời hạn bảo quản', rf.maintenanceLabel);
    field(dl, 'Chế độ sử dụng', RIGHTS[rf.rights] || rf.rights);
    field(dl, 'Ngôn ngữ', rf.language === 'vi' ? 'Tiếng Việt' : rf.language);
    field(dl, 'Người lập hồ sơ', rf.creator);
    field(dl, 'Số lượng văn bản', rf.docTotal);
    field(dl, 'Số lượng trang', rf.pageTotal);
    field(dl, 'Từ khóa', rf.keywords);
    field(dl, 'Chú giải', rf.description);
    field(dl, 'Ngày nộp lưu', rf.accessionedAt ? formatDate(rf.accessionedAt.slice(0, 10)) : null);
    box.replaceChildren(el('h2', { id: 'record-title', text: rf.title }), dl, el('h3', { text: 'Văn bản trong hồ sơ (' + (rf.documents || []).length + ')' }));
    for (const d of rf.documents || []) {
      if (d.nonArchival) continue;
      const head = [d.typeName, d.numberAndSymbol ? 'số ' + d.numberAndSymbol : null].filter(Boolean).join(' ');
      const ddl = el('dl', { class: 'fields' });
      field(ddl, 'Trích yếu', d.subject);
      field(ddl, 'Ngày ban hành', formatDate(d.issuedDate));
      field(ddl, 'Cơ quan ban hành', d.organName);
      field(ddl, 'Số trang', d.pageAmount);
      field(ddl, 'Người ký', [d.signerPosition, d.signerFullName].filter(Boolean).join(' '));
      const contents = el('ul', { class: 'contents' });
      for (const c of d.contents || []) {
        const url = contentPath(rf.fileCode, d.docOrdinal, c.name);
        const viewable = c.mediaType === 'application/pdf' || /^image\/(png|jpeg|gif|webp)$/.test(c.mediaType);
        contents.append(el('li', null,
          el('span', { class: 'file', text: c.name }),
          el('span', { class: 'meta', text: formatSize(c.length) + ' · ' + (TEXT_STATUS[c.textStatus] || c.textStatus || '') }),
          viewable ? el('button', { type: 'button', class: 'view', onclick: () => openViewer(url, c, String(d.docOrdinal) === String(doc) ? page : null) }, 'Xem') : null,
          el('a', { href: url, download: c.name, class: 'download' }, 'Tải về')));
      }
      box.append(el('section', { class: 'document' + (String(d.docOrdinal) === String(doc) ? ' current' : ''), id: 'van-ban-' + d.docOrdinal, 'data-doc': d.docOrdinal },
        el('h4', { text: 'Văn bản ' + d.docOrdinal + (head ? ': ' + head : '') }),
        ddl,
        (d.contents || []).length ? contents : el('p', { class: 'meta', text: 'Văn bản chưa có tệp số hóa.' })));
    }
    if (doc) {
      const target = document.getElementById('van-ban-' + doc);
      if (target) target.scrollIntoView({ block: 'start' });
    }
  }

  async function openViewer(url, content, page) {
    closeViewer();
    const body = $('viewer-body');
    $('viewer').hidden = false;
    $('viewer-title').textContent = content.name + (page ? ' — Trang ' + page : '');
    body.replaceChildren(el('p', { class: 'meta', text: 'Đang tải tài liệu…' }));
    try {
      // Fetched by the page (same origin, the caller's rights) and shown from a blob: URL; the API serves content as
      // a download, which a frame would not display.
      const r = await fetchChecked(url, content.mediaType);
      const blob = new Blob([await r.blob()], { type: content.mediaType });
      viewerUrl = URL.createObjectURL(blob);
      if (content.mediaType === 'application/pdf') {
        body.replaceChildren(el('iframe', { src: viewerUrl + (page ? '#page=' + page : ''), title: content.name, 'data-bytes': blob.size }));
      } else {
        body.replaceChildren(el('img', { src: viewerUrl, alt: content.name, 'data-bytes': blob.size }));
      }
    } catch (err) {
      body.replaceChildren();
      showMessage(messageFor(err));
    }
  }

  function closeViewer() {
    if (viewerUrl) { URL.revokeObjectURL(viewerUrl); viewerUrl = null; }
    $('viewer-body').replaceChildren();
    $('viewer').hidden = true;
  }

  // ------------------------------------------------------------------ conditional records and access requests

  // Record files with conditional access (sử dụng có điều kiện) are listed from their catalogue entry only (code,
  // title, fonds, date: no text, no snippet); a researcher asks to read one (Yêu cầu khai thác) with a purpose and
  // sees the decision. Reading it afterwards goes through the API, which allows it only under a valid grant.
  function requestStatus(r) {
    switch (r.status) {
      case 'Pending': return 'Chờ duyệt';
      case 'Approved': return 'Đã duyệt (đến ngày ' + formatDate(r.validUntil) + ')';
      case 'Refused': return 'Từ chối (' + (r.reason || '') + ')';
      case 'Revoked': return 'Đã thu hồi (' + (r.reason || '') + ')';
      case 'Expired': return 'Hết hạn (ngày ' + formatDate(r.validUntil) + ')';
      default: return r.status;
    }
  }

  function requestMessage(err) {
    if (err && err.status === 403) return 'Chỉ độc giả đã đăng nhập (nhập khóa độc giả) mới gửi được yêu cầu khai thác (403).';
    if (err && err.status === 409) return 'Yêu cầu khai thác hồ sơ này đang chờ duyệt hoặc đã được duyệt (409).';
    if (err && (err.status === 400 || err.status === 422)) {
      const fields = (err.errors || []).map((e) => e.message).filter(Boolean);
      return 'Yêu cầu khai thác không hợp lệ: ' + (fields.length ? fields.join(' ') : (err.message || ''));
    }
    return messageFor(err);
  }

  function requestForm(entry, item) {
    if (item.querySelector('form')) return;
    const purpose = el('textarea', { name: 'purpose', rows: 3, maxlength: 2000, required: true, 'aria-label': 'Mục đích khai thác', placeholder: 'Mục đích khai thác (ví dụ: nghiên cứu lịch sử địa phương)' });
    const form = el('form', { class: 'request-form' },
      el('label', null, 'Mục đích khai thác', purpose),
      el('div', null,
        el('button', { type: 'submit', text: 'Gửi yêu cầu' }), ' ',
        el('button', { type: 'button', class: 'link', text: 'Hủy', onclick: () => form.remove() })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showMessage('');
      try {
        await fetchChecked(api + '/access-requests', 'application/json', { method: 'POST', body: JSON.stringify({ fileCode: entry.fileCode, purpose: purpose.value }) });
        form.remove();
        await Promise.all([loadConditional(), loadMyRequests()]);
      } catch (err) {
        showMessage(requestMessage(err));
      }
    });
    item.append(form);
    purpose.focus();
  }

  async function loadConditional() {
    const list = $('conditional-hits');
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    p.set('pageSize', '20');
    let res;
    try {
      res = await getJson('/access-requests/catalogue?' + p.toString());
    } catch (err) {
      $('conditional').hidden = true;
      return;
    }
    list.replaceChildren();
    for (const entry of res.items || []) {
      const mine = entry.myRequest;
      const item = el('li', { class: 'hit conditional', 'data-code': entry.fileCode },
        el('h3', null, mine && mine.status === 'Approved'
          ? el('a', { href: recordHash(entry.fileCode, null, null), text: entry.title })
          : entry.title),
        el('p', { class: 'meta' },
          el('span', { class: 'kind', text: 'Hồ sơ' }),
          el('span', { class: 'badge', text: 'Sử dụng có điều kiện' }),
          entry.startDate ? el('span', { text: formatDate(entry.startDate) }) : null,
          entry.fondsCode ? el('span', { text: names.fonds.get(entry.fondsCode) || ('Phông ' + entry.fondsCode) }) : null,
          el('span', { text: 'Mã hồ sơ ' + entry.fileCode })),
        mine ? el('p', { class: 'request-status', 'data-status': mine.status, text: 'Yêu cầu khai thác: ' + requestStatus(mine) }) : null);
      if (!mine || mine.status === 'Refused' || mine.status === 'Revoked' || mine.status === 'Expired') {
        item.append(el('button', { type: 'button', class: 'request', text: 'Yêu cầu khai thác', onclick: () => requestForm(entry, item) }));
      }
      list.append(item);
    }
    $('conditional').hidden = list.children.length === 0;
  }

  async function loadMyRequests() {
    const list = $('my-request-list');
    let res;
    try {
      res = await getJson('/access-requests/mine?pageSize=100');
    } catch (err) {
      $('my-requests').hidden = true;
      return;
    }
    list.replaceChildren();
    for (const r of res.items || []) {
      list.append(el('li', { 'data-id': r.id, 'data-status': r.status },
        r.status === 'Approved' ? el('a', { href: recordHash(r.fileCode, null, null), text: r.fileTitle || r.fileCode }) : el('strong', { text: r.fileTitle || r.fileCode }),
        ' — ', el('span', { class: 'request-status', text: requestStatus(r) })));
    }
    $('my-requests').hidden = list.children.length === 0;
  }

  function initReaderKey() {
    const input = $('reader-key');
    const status = $('reader-key-status');
    const show = () => { status.textContent = readerKey() ? 'Đã nhập khóa độc giả.' : 'Chưa đăng nhập: bạn đang xem với quyền độc giả khách.'; };
    $('reader-key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      try {
        if (input.value.trim()) sessionStorage.setItem(KEY, input.value.trim()); else sessionStorage.removeItem(KEY);
      } catch (err) { /* storage off: the key is not kept */ }
      input.value = '';
      show();
      state.searched = false;
      runSearch(false);
    });
    show();
  }

  // ------------------------------------------------------------------ routing

  function route() {
    const m = /^#\/ho-so\/([^/]+)(?:\/van-ban\/(\d+))?(?:\/trang\/(\d+))?$/.exec(location.hash);
    if (m) {
      let code;
      try { code = decodeURIComponent(m[1]); } catch (e) { code = m[1]; }
      showRecord(code, m[2] || null, m[3] || null);
      return;
    }
    closeViewer();
    $('record-view').hidden = true;
    $('search-view').hidden = false;
    if (!state.searched) runSearch(false);
  }

  async function loadFondsNames() {
    try {
      const list = await getJson('/fonds?pageSize=1000');
      for (const f of (list.items || list || [])) if (f && f.code && f.name) names.fonds.set(f.code, f.name);
    } catch (e) {
      // Not every caller may list fonds: the codes are shown instead.
    }
  }

  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.q = $('q').value.trim();
    if (!$('record-view').hidden) { state.searched = true; location.hash = '#/'; }
    runSearch(false);
  });
  $('more').addEventListener('click', () => runSearch(true));
  $('clear-filters').addEventListener('click', () => { for (const f of FACETS) state.selected[f].clear(); runSearch(false); });
  $('viewer-close').addEventListener('click', closeViewer);
  $('back').addEventListener('click', (e) => { e.preventDefault(); location.hash = '#/'; });
  window.addEventListener('hashchange', route);

  initReaderKey();
  loadFondsNames().finally(route);
})();
