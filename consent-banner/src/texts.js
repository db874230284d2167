// Built-in interface texts. Purpose titles, descriptions and recipients come
// from the site's configuration on the server; these are the words around
// them. A configuration may add languages or override words through its
// optional "strings" object: {"strings": {"fr": {"accept": "Tout accepter"}}}.
export const TEXTS = {
  en: {
    title: 'Your privacy choices',
    text: 'We use cookies and similar technologies for the purposes below. Necessary ones are always on; the others only with your consent, which you can change at any time.',
    accept: 'Accept all',
    reject: 'Reject all',
    customize: 'Customize',
    save: 'Save choices',
    settings: 'Privacy settings',
    policy: 'Privacy policy',
    external: 'Data sent to third parties',
    always: 'Always on',
    recipients: 'Recipients',
    data: 'Data sent',
    purpose: 'Purpose',
    gpc: 'Your browser sends Global Privacy Control, so advertising stays off.',
  },
  ja: {
    title: 'プライバシーに関する選択',
    text: '当サイトでは以下の目的でCookie等を利用します。必須のものは常に有効で、それ以外はお客様の同意がある場合に限り利用します。選択はいつでも変更できます。',
    accept: 'すべて同意',
    reject: 'すべて拒否',
    customize: '詳細設定',
    save: '選択を保存',
    settings: 'プライバシー設定',
    policy: 'プライバシーポリシー',
    external: '外部送信について',
    always: '常に有効',
    recipients: '送信先',
    data: '送信される情報',
    purpose: '利用目的',
    gpc: 'ブラウザがGlobal Privacy Controlを送信しているため、広告は無効のままです。',
  },
};
