/* Newsletter signup widget: <div data-newsletter="LIST"></div><script src="https://SERVICE/widget.js" async></script>
 * Options: data-lang (en, de, es, fr; else the page's or browser's language), data-title, data-text, data-button,
 * data-consent, data-name="off"; colours: --newsletter-accent,
 * -accent-text, -bg, -text, -border. No cookies or storage; talks only to the service it was loaded from. */
(function () {
  'use strict';
  var doc = document;
  var script = doc.currentScript;
  if (!script || !/\/widget\.js(?:[?#]|$)/.test(script.src || '')) {
    script = null;
    var all = doc.querySelectorAll('script[src]');
    for (var i = 0; i < all.length; i++) {
      if (/\/widget\.js(?:[?#].*)?$/.test(all[i].src)) { script = all[i]; break; }
    }
  }
  if (!script) return;
  var base = script.src.replace(/\/widget\.js(?:[?#].*)?$/, '');
  var THANKS = 'Thank you for subscribing.';
  var FAILED = 'Something went wrong.';
  // The two outcome sentences stay English in every language (integrations match them); the rest is translated.
  var TEXTS = {
    en: { title: 'Get Our Peptide Evolution Ebook For FREE!',
      text: 'Subscribe to our mailing list and get interesting stuff to your email inbox.',
      email: 'Email address', name: 'Name (optional)', trap: 'Leave this field empty', button: 'Subscribe',
      consent: "We'll email you the ebook and our newsletter. Unsubscribe anytime." },
    de: { title: 'Holen Sie sich unser E-Book Peptide Evolution GRATIS!',
      text: 'Abonnieren Sie unseren Newsletter und erhalten Sie Interessantes direkt in Ihr Postfach.',
      email: 'E-Mail-Adresse', name: 'Name (optional)', trap: 'Dieses Feld leer lassen', button: 'Abonnieren',
      consent: 'Wir schicken Ihnen das E-Book und unseren Newsletter per E-Mail. Abmelden jederzeit möglich.' },
    es: { title: '¡Consiga GRATIS nuestro libro electrónico Peptide Evolution!',
      text: 'Suscríbase a nuestra lista y reciba contenido interesante en su bandeja de entrada.',
      email: 'Correo electrónico', name: 'Nombre (opcional)', trap: 'Deje este campo vacío', button: 'Suscribirme',
      consent: 'Le enviaremos el libro electrónico y nuestro boletín por correo. Puede darse de baja cuando quiera.' },
    fr: { title: 'Recevez GRATUITEMENT notre livre numérique Peptide Evolution !',
      text: 'Abonnez-vous à notre liste et recevez des contenus intéressants dans votre boîte de réception.',
      email: 'Adresse e-mail', name: 'Nom (facultatif)', trap: 'Laissez ce champ vide', button: "S'abonner",
      consent: 'Nous vous enverrons le livre numérique et notre lettre par e-mail. Désinscription à tout moment.' }
  };

  function language(wanted) {
    var candidates = [wanted, doc.documentElement.lang].concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < candidates.length; i++) {
      var code = String(candidates[i] || '').toLowerCase().split('-')[0];
      if (TEXTS[code]) return code;
    }
    return 'en';
  }

  var prefix = 'nlw' + Math.random().toString(36).slice(2, 8);
  var count = 0;

  var CSS =
    '.nlw{--nlw-accent:var(--newsletter-accent,#1f6feb);--nlw-accent-text:var(--newsletter-accent-text,#fff);' +
    'box-sizing:border-box;max-width:36rem;margin:1.5rem 0;padding:1.5rem;border-radius:8px;' +
    'background:var(--newsletter-bg,#f4f6f8);color:var(--newsletter-text,#1d2733);' +
    'border:1px solid var(--newsletter-border,#d0d7de);font:inherit;line-height:1.5;text-align:left}' +
    '.nlw *,.nlw *::before,.nlw *::after{box-sizing:border-box}' +
    '.nlw .nlw-title{margin:0 0 .25rem;font-size:1.35rem;line-height:1.3;color:inherit}' +
    '.nlw .nlw-text,.nlw .nlw-consent{margin:0 0 1rem}' +
    '.nlw .nlw-consent{font-size:.875rem;opacity:.85}' +
    '.nlw .nlw-field{margin:0 0 .75rem}' +
    '.nlw label{display:block;margin:0 0 .25rem;font-weight:600;font-size:.95rem}' +
    '.nlw input{display:block;width:100%;margin:0;padding:.6rem .75rem;font:inherit;color:#1d2733;' +
    'background:#fff;border:1px solid #8c959f;border-radius:6px}' +
    '.nlw input:focus,.nlw button:focus{outline:3px solid var(--nlw-accent);outline-offset:2px}' +
    '.nlw input[aria-invalid=true]{border-color:#b42318}' +
    '.nlw button{display:inline-block;margin:0;padding:.7rem 1.25rem;font:inherit;font-weight:600;cursor:pointer;' +
    'background:var(--nlw-accent);color:var(--nlw-accent-text);border:0;border-radius:6px}' +
    '.nlw button[disabled]{opacity:.6;cursor:progress}' +
    '.nlw .nlw-status{margin:.75rem 0 0;min-height:1.5em;font-weight:600}' +
    '.nlw .nlw-status.nlw-error{color:#b42318}' +
    '.nlw .nlw-hp{position:absolute!important;left:-10000px!important;top:auto!important;width:1px!important;' +
    'height:1px!important;overflow:hidden!important}';

  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === true) node.setAttribute(k, '');
      else if (attrs[k] != null && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c);
    });
    return node;
  }

  function field(id, label, input) {
    return el('div', { 'class': 'nlw-field' }, [el('label', { 'for': id }, [label]), input]);
  }

  function render(host) {
    if (host.hasAttribute('data-newsletter-ready')) return;
    host.setAttribute('data-newsletter-ready', '');
    var id = prefix + '-' + (++count);
    var d = host.dataset;
    var list = d.newsletter || '';
    var lang = language(d.lang);
    var t = TEXTS[lang];
    var email = el('input', { type: 'email', id: id + '-email', name: 'email', required: true,
      autocomplete: 'email', inputmode: 'email', maxlength: '254' });
    var name = d.name === 'off' ? null : el('input', { type: 'text', id: id + '-name', name: 'name',
      autocomplete: 'name', maxlength: '100' });
    var trap = el('input', { type: 'text', id: id + '-website', name: 'website', tabindex: '-1',
      autocomplete: 'off' });
    var button = el('button', { type: 'submit' }, [d.button || t.button]);
    // The outcome sentences and the service's messages are English, whatever the box's language.
    var status = el('p', { 'class': 'nlw-status', id: id + '-status', role: 'status', 'aria-live': 'polite',
      lang: 'en' });
    var fields = [field(id + '-email', t.email, email)];
    if (name) fields.push(field(id + '-name', t.name, name));
    fields.push(el('div', { 'class': 'nlw-hp', 'aria-hidden': 'true' }, [
      el('label', { 'for': id + '-website' }, [t.trap]), trap]));
    fields.push(el('p', { 'class': 'nlw-consent', id: id + '-consent' },
      [d.consent || t.consent]));
    fields.push(button, status);
    button.setAttribute('aria-describedby', id + '-consent');
    var form = el('form', { 'class': 'nlw-form' }, fields);
    var box = el('section', { 'class': 'nlw', 'aria-labelledby': id + '-title', lang: lang }, [
      el('h2', { 'class': 'nlw-title', id: id + '-title' }, [d.title || t.title]),
      el('p', { 'class': 'nlw-text' }, [d.text || t.text]),
      form]);
    host.textContent = '';
    host.appendChild(box);
    var inputs = { email: email, name: name };

    function show(ok, message) {
      status.className = 'nlw-status' + (ok ? '' : ' nlw-error');
      status.textContent = message;
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (button.disabled) return;
      [email, name].forEach(function (input) {
        if (input) { input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby'); }
      });
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      show(true, '');
      var body = { email: email.value, name: name ? name.value : '', list: list, source: location.href,
        consent: true, website: trap.value };
      // Only a language the page asked for binds the mail; otherwise the list's own, then the browser's, decide.
      if (d.lang) body.lang = lang;
      send(body).then(function (reply) {
        if (reply.ok) {
          form.reset();
          show(true, THANKS);
          return;
        }
        var errors = reply.errors || {};
        var messages = [];
        var first = null;
        Object.keys(errors).forEach(function (key) {
          messages.push(errors[key]);
          var input = inputs[key];
          if (input) {
            input.setAttribute('aria-invalid', 'true');
            input.setAttribute('aria-describedby', id + '-status');
            if (!first) first = input;
          }
        });
        if (!messages.length && reply.detail) messages.push(reply.detail);
        show(false, [FAILED].concat(messages).join(' '));
        if (first) first.focus();
      }).then(function () {
        button.disabled = false;
        form.removeAttribute('aria-busy');
      });
    });
  }

  async function send(body) {
    try {
      var pow = await proofOfWork(body.list);
      if (pow) body.pow = pow;
      var res = await fetch(base + '/api/subscriptions', {
        method: 'POST', credentials: 'omit',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify(body)
      });
      if (res.ok) return { ok: true };
      var problem = {};
      try { problem = await res.json(); } catch (e) { /* not JSON */ }
      return { ok: false, errors: problem && problem.errors, detail: problem && problem.detail };
    } catch (e) {
      return { ok: false };
    }
  }

  /* Asks the service whether this list wants a proof of work; solves it when it does. Older services answer 404. */
  async function proofOfWork(list) {
    var c;
    try {
      var res = await fetch(base + '/api/challenge?list=' + encodeURIComponent(list),
        { credentials: 'omit', headers: { 'Accept': 'application/json' } });
      if (!res.ok) return null;
      c = await res.json();
    } catch (e) {
      return null;
    }
    if (!c || !c.required || !window.crypto || !crypto.subtle) return null;
    var max = Number(c.maxnumber) || 0;
    var target = String(c.challenge).toLowerCase();
    var encoder = new TextEncoder();
    for (var start = 0; start <= max; start += 200) {
      var batch = [];
      for (var n = start; n <= max && n < start + 200; n++) {
        batch.push(crypto.subtle.digest('SHA-256', encoder.encode(c.salt + n)));
      }
      var hashes = await Promise.all(batch);
      for (var j = 0; j < hashes.length; j++) {
        if (hex(hashes[j]) === target) {
          return btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: start + j,
            salt: c.salt, signature: c.signature }));
        }
      }
    }
    return null;
  }

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = '';
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out;
  }

  function start() {
    if (!doc.nlwStyled && !doc.querySelector('style[data-newsletter-css]')) {
      doc.nlwStyled = true;
      if (doc.adoptedStyleSheets && typeof CSSStyleSheet === 'function' && CSSStyleSheet.prototype.replaceSync) {
        // A constructed stylesheet is CSSOM, which the page's Content-Security-Policy does not block; an injected
        // <style> is blocked by any policy without 'unsafe-inline' (the service's own demo page has one).
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        doc.adoptedStyleSheets = doc.adoptedStyleSheets.concat([sheet]);
      } else {
        var style = el('style', { 'data-newsletter-css': true });
        style.textContent = CSS;
        (doc.head || doc.documentElement).appendChild(style);
      }
    }
    var hosts = doc.querySelectorAll('[data-newsletter]');
    for (var i = 0; i < hosts.length; i++) render(hosts[i]);
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})();
