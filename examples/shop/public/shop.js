// The shop's own page script: cart in localStorage, the demo sign-in, and the calls a shop makes
// to Threadline (page context, cart, checkout event, identity). Loaded as a file: the page's CSP
// allows no inline script beyond the nonce'd install snippet.
(function () {
  const server = document.querySelector('meta[name="threadline-server"]').content;
  const CART_KEY = 'northwind-cart';
  const CONSENT_KEY = 'northwind-chat-consent';
  const ASK_CONSENT = !!document.querySelector('meta[name="threadline-consent"]');
  const euros = (cents) => '€' + (cents / 100).toFixed(2);
  const readCart = () => {
    try {
      return JSON.parse(localStorage.getItem(CART_KEY) || '{}');
    } catch {
      return {};
    }
  };
  const writeCart = (cart) => localStorage.setItem(CART_KEY, JSON.stringify(cart));

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function main() {
    const catalog = await fetch('/shop/catalog.json').then((r) => r.json());
    const byId = Object.fromEntries(catalog.map((p) => [p.id, p]));
    const cart = readCart();
    const lines = Object.entries(cart).filter(([id, qty]) => byId[id] && qty > 0);
    const total = lines.reduce((sum, [id, qty]) => sum + byId[id].price * qty, 0);
    const items = lines.reduce((sum, [, qty]) => sum + qty, 0);

    for (const c of document.querySelectorAll('[data-cart-count]')) c.textContent = String(items);
    for (const box of document.querySelectorAll('[data-cart-lines]')) {
      box.textContent = '';
      if (!lines.length) {
        box.append(el('p', {}, 'Your cart is empty.'));
        continue;
      }
      const ul = el('ul', { class: 'cart-lines' });
      for (const [id, qty] of lines) {
        const li = el('li');
        li.append(el('span', {}, `${qty} × ${byId[id].name}`), el('span', {}, euros(byId[id].price * qty)));
        ul.append(li);
      }
      const sum = el('div', { class: 'total' });
      sum.append(el('span', {}, 'Total'), el('span', {}, euros(total)));
      box.append(ul, sum);
    }
    for (const t of document.querySelectorAll('[data-cart-total]')) t.textContent = euros(total);

    for (const button of document.querySelectorAll('[data-add-to-cart]')) {
      button.addEventListener('click', () => {
        const next = readCart();
        const id = button.getAttribute('data-add-to-cart');
        next[id] = (next[id] || 0) + 1;
        writeCart(next);
        document.querySelector('[data-added]').hidden = false;
        const count = Object.values(next).reduce((a, b) => a + b, 0);
        for (const c of document.querySelectorAll('[data-cart-count]')) c.textContent = String(count);
        Threadline('update', { cart: cartContext(next, byId) });
      });
    }

    // What the agent sees: the page and the cart.
    Threadline('update', {
      page: { url: location.href, title: document.title, referrer: document.referrer || undefined },
      cart: { value: total / 100, currency: 'EUR', items },
    });
    if (document.body.dataset.page === 'checkout') {
      Threadline('track', 'checkout_started', { cartValue: total / 100 });
      const pay = document.getElementById('pay-button');
      pay.addEventListener('click', (e) => {
        e.preventDefault();
        document.querySelector('[data-paid]').hidden = false;
        // The checkout campaign's goal (rules.json): counted once per shopper in its stats.
        Threadline('track', 'order_completed', { cartValue: total / 100 });
      });
    }

    setUpConsent();
    await setUpSignIn();
  }

  // The shop's consent banner (THREADLINE_DEMO_ASK_CONSENT=1). The widget was booted with
  // consent: false, so until the shopper allows the chat it stores nothing on this device and
  // sends nothing; the update/track calls above wait in memory. The choice is the shop's to keep.
  function setUpConsent() {
    if (!ASK_CONSENT) return;
    const banner = el('section', { class: 'consent', 'aria-label': 'Chat privacy', hidden: '' });
    const text = el('p', {}, '');
    const allow = el('button', { type: 'button', class: 'primary' }, 'Allow chat');
    const decline = el('button', { type: 'button', class: 'link' }, 'Not now');
    banner.append(text, allow, decline);
    document.body.append(banner);
    const show = () => {
      const allowed = localStorage.getItem(CONSENT_KEY) === 'yes';
      text.textContent = allowed
        ? 'Our chat keeps your conversations on this device and talks to our support server. You allowed it.'
        : 'Our chat keeps your conversations on this device and talks to our support server. Allow it?';
      allow.hidden = allowed;
      decline.textContent = allowed ? 'Withdraw consent' : 'Not now';
      banner.hidden = false;
    };
    allow.addEventListener('click', () => {
      localStorage.setItem(CONSENT_KEY, 'yes');
      Threadline('consent', true);
      banner.hidden = true;
    });
    decline.addEventListener('click', () => {
      const had = localStorage.getItem(CONSENT_KEY) === 'yes';
      localStorage.setItem(CONSENT_KEY, 'no');
      // Withdrawing erases the chat's data from this device, as a logout does.
      if (had) Threadline('consent', false);
      banner.hidden = true;
    });
    document.querySelector('[data-chat-privacy]')?.addEventListener('click', show);
    const choice = localStorage.getItem(CONSENT_KEY);
    if (choice === 'yes') Threadline('consent', true);
    else if (choice === null) show();
  }

  function cartContext(cart, byId) {
    const entries = Object.entries(cart).filter(([id]) => byId[id]);
    return {
      value: entries.reduce((s, [id, q]) => s + byId[id].price * q, 0) / 100,
      currency: 'EUR',
      items: entries.reduce((s, [, q]) => s + q, 0),
    };
  }

  async function setUpSignIn() {
    const button = document.querySelector('[data-sign-in]');
    let { user } = await fetch('/demo/session').then((r) => r.json());
    const render = () => {
      button.textContent = user ? `Sign out (${user.name.split(' ')[0]})` : 'Sign in as Alice';
    };
    if (user) Threadline('identify', { userId: user.userId, userHash: user.userHash, name: user.name, email: user.email });
    render();
    button.addEventListener('click', async () => {
      if (user) {
        await fetch('/demo/sign-out', { method: 'POST' });
        user = null;
        // Logout: wipe this device's copy of Alice's threads, then start over as an anonymous visitor.
        Threadline('shutdown');
        const waitForConsent = ASK_CONSENT && localStorage.getItem(CONSENT_KEY) !== 'yes';
        Threadline('boot', {
          appId: 'demo',
          serverUrl: server,
          brandName: 'Northwind Outfitters',
          brandAvatarUrl: `${server}/shop/img/logo.svg`,
          brandColor: '#2f6f4f',
          ...(waitForConsent ? { consent: false } : {}),
        });
      } else {
        ({ user } = await fetch('/demo/sign-in', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'alice' }),
        }).then((r) => r.json()));
        Threadline('identify', { userId: user.userId, userHash: user.userHash, name: user.name, email: user.email });
      }
      render();
    });
  }

  main().catch((err) => console.error('shop script failed', err));
})();
