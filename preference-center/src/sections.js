// The component's four sections: notice preferences, devices with their
// consent decisions, the data download and requests. Each takes the
// context c = {s (texts), lang, api, say, fail} and returns its element.
import { h, button, day } from './dom.js';
import { tx } from './texts.js';

export function notices(c, view) {
  const sec = h('section', { class: 'apc-sec', 'aria-labelledby': 'apc-n' }, h('h3', { id: 'apc-n' }, c.s.notices), h('p', null, c.s.noticesHelp));
  for (const t of view.topics) {
    const why = t.transactional ? h('p', { id: `apc-r-${t.id}`, class: 'apc-why' }, `${c.s.required}: ${tx(t.reason, c.lang)}`) : null;
    const boxes = t.states.map((st) => {
      const input = h('input', {
        type: 'checkbox', id: `apc-${t.id}-${st.channel}`, 'data-topic': t.id, 'data-channel': st.channel,
        checked: st.on, disabled: t.transactional, 'aria-describedby': why ? why.id : null,
        onchange: async (e) => {
          const box = e.target;
          box.disabled = true;
          try {
            await c.api.json('POST', '', { channel: st.channel, topic: t.id, on: box.checked });
            c.say(c.s.saved);
          } catch (err) {
            box.checked = !box.checked;
            c.fail(err);
          }
          box.disabled = false;
        },
      });
      return h('label', { class: 'apc-ch', for: input.id }, input, ' ', c.s[st.channel] || st.channel);
    });
    sec.append(h('fieldset', { class: 'apc-t' }, h('legend', null, tx(t.title, c.lang)),
      t.description ? h('p', null, tx(t.description, c.lang)) : null, why, h('div', { class: 'apc-row' }, boxes)));
  }
  return sec;
}

export function devices(c, list, reload) {
  const sec = h('section', { class: 'apc-sec', 'aria-labelledby': 'apc-d' }, h('h3', { id: 'apc-d' }, c.s.devices));
  if (!list.length) return sec.appendChild(h('p', null, c.s.noDevices)) && sec;
  sec.append(h('ul', { class: 'apc-list' }, list.map((d, i) => h('li', { class: 'apc-dev' },
    h('h4', null, `${c.s.device} ${i + 1}`, ' ', h('small', null, `(${d.visitor_id.slice(0, 8)}…)`)),
    h('p', null, `${c.s.firstSeen} `, day(d.first_seen, c.lang), ` · ${c.s.lastSeen} `, day(d.last_seen, c.lang)),
    h('ul', null, d.decisions.map((x) => h('li', { class: 'apc-dec' }, `${c.s.decision} `, day(x.ts, c.lang),
      ` · ${c.s.revision} ${x.revision} · ${c.s.purposes}: ${x.granted.length ? x.granted.join(', ') : c.s.none}`))),
    button(c.s.unlink, async () => {
      try {
        await c.api.json('POST', '/devices/unlink', { visitor_id: d.visitor_id });
        c.say(c.s.unlinked);
        reload();
      } catch (err) {
        c.fail(err);
      }
    })))));
  return sec;
}

export function data(c) {
  return h('section', { class: 'apc-sec', 'aria-labelledby': 'apc-x' }, h('h3', { id: 'apc-x' }, c.s.data),
    button(c.s.download, async () => {
      try {
        const t = await c.api.text('/export');
        JSON.parse(t); // a stream cut short is not saved as if it were whole
        const a = h('a', { href: URL.createObjectURL(new Blob([t], { type: 'application/json' })), download: `my-data-${c.site}.json` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 1e4);
        c.say(c.s.downloaded);
      } catch (err) {
        c.fail(err);
      }
    }));
}

export function requests(c, list, reload) {
  const kind = h('select', { id: 'apc-kind' }, ['disclosure', 'stop', 'erasure'].map((k) => h('option', { value: k }, c.s[k])));
  const items = list.length
    ? h('ul', { class: 'apc-list' }, list.map((r) => h('li', { class: 'apc-req', 'data-state': r.state },
      h('strong', null, c.s[r.kind] || r.kind), ` · ${c.s.state}: `, h('span', { class: 'apc-st' }, c.s[r.state] || r.state),
      ` · ${c.s.filedAt} `, day(r.filed_at, c.lang), ` · ${c.s.deadline} `, day(r.deadline, c.lang),
      r.reason ? h('p', null, r.reason) : null)))
    : h('p', null, c.s.noRequests);
  return h('section', { class: 'apc-sec', 'aria-labelledby': 'apc-q' }, h('h3', { id: 'apc-q' }, c.s.requests),
    h('div', { class: 'apc-row' }, h('label', { for: 'apc-kind' }, c.s.kind), kind,
      button(c.s.file, async () => {
        try {
          await c.api.json('POST', '/requests', { kind: kind.value });
          c.say(c.s.filed);
          reload();
        } catch (err) {
          c.fail(err);
        }
      })), items);
}
