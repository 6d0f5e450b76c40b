import { PRODUCTS, euros } from './catalog.mjs';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function productCard(p) {
  return `<li class="card">
    <a href="/product/${esc(p.id)}">
      <img src="/shop/img/${esc(p.id)}.svg" alt="" width="320" height="240">
      <span class="card-name">${esc(p.name)}</span>
      <span class="card-price">${euros(p.price)}</span>
    </a>
  </li>`;
}

const bodies = {
  home: () => `
    <section class="hero">
      <h1>Gear for wet weekends</h1>
      <p>Questions about sizes, delivery or returns? Message us any time — we answer, even if you close the tab.</p>
    </section>
    <ul class="grid" aria-label="Products">${PRODUCTS.map(productCard).join('')}</ul>`,
  product: ({ product: p }) => `
    <nav class="crumbs"><a href="/">Shop</a> › ${esc(p.name)}</nav>
    <article class="product">
      <img src="/shop/img/${esc(p.id)}.svg" alt="${esc(p.name)}" width="480" height="360">
      <div>
        <h1>${esc(p.name)}</h1>
        <p class="price">${euros(p.price)}</p>
        <p>${esc(p.blurb)}</p>
        <button type="button" class="primary" data-add-to-cart="${esc(p.id)}">Add to cart</button>
        <p class="note" data-added hidden>Added to your cart.</p>
      </div>
    </article>`,
  cart: () => `
    <h1>Your cart</h1>
    <div data-cart-lines><p>Loading…</p></div>
    <p class="actions"><a class="button primary" href="/checkout" data-checkout-link>Go to checkout</a></p>`,
  checkout: () => `
    <h1>Checkout</h1>
    <div class="checkout">
      <form class="address" data-checkout-form>
        <label>Full name <input name="name" autocomplete="name" required></label>
        <label>Address <input name="street" autocomplete="street-address" required></label>
        <label>Postcode <input name="postcode" autocomplete="postal-code" required></label>
        <label>City <input name="city" autocomplete="address-level2" required></label>
      </form>
      <aside class="summary">
        <h2>Order summary</h2>
        <div data-cart-lines><p>Loading…</p></div>
      </aside>
    </div>
    <div class="pay-bar">
      <button type="submit" form="pay" class="primary pay" id="pay-button" data-threadline-avoid>Pay <span data-cart-total></span></button>
    </div>
    <p class="note" data-paid hidden role="status">This is a demo: nothing was charged.</p>`,
};

/**
 * A full page. The widget is installed exactly as docs/widget.md shows, with the CSP nonce.
 * `widget: false` renders the same page without the widget — no install snippet, no script tag —
 * so that a benchmark (bench/src/lighthouse.mjs) can tell what the widget costs the page.
 */
export function renderPage(name, { nonce, serverUrl, title, product, askConsent = false, widget = true }) {
  // With askConsent the widget boots waiting for consent, and the shop's own banner (shop.js)
  // asks the shopper and calls Threadline('consent', true|false).
  // The first screen shows the shop's name and logo (a file of its own, on the page's origin), in
  // the shop's green (shop.css --brand).
  const brand = `brandName: 'Northwind Outfitters', brandAvatarUrl: '${esc(serverUrl)}/shop/img/logo.svg', brandColor: '#2f6f4f'`;
  const boot = `{ appId: 'demo', serverUrl: '${esc(serverUrl)}', ${brand}${askConsent ? ', consent: false' : ''} }`;
  const install = widget
    ? `<script nonce="${esc(nonce)}">
  window.Threadline = window.Threadline || function () {
    (window.Threadline.q = window.Threadline.q || []).push(arguments);
  };
  Threadline('boot', ${boot});
</script>
<script async src="${esc(serverUrl)}/widget/threadline.js"></script>
<link rel="modulepreload" href="${esc(serverUrl)}/widget/threadline-main.js">`
    : // shop.js calls Threadline() as a shop does once the snippet is installed; without this no-op
      // its first call would throw and skip the rest of the shop's own start-up (the sign-in
      // check), and the page without the widget would do less of the shop's work too.
      `<script nonce="${esc(nonce)}">window.Threadline = function () {};</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>${esc(title)} · Northwind Outfitters</title>
<link rel="stylesheet" href="/shop/shop.css">
<meta name="threadline-server" content="${esc(serverUrl)}">${askConsent ? '\n<meta name="threadline-consent" content="ask">' : ''}
${install}
<script defer src="/shop/shop.js"></script>
</head>
<body data-page="${esc(name)}">
<header class="top">
  <a class="brand" href="/">Northwind <span>Outfitters</span></a>
  <nav aria-label="Main">
    <a href="/">Shop</a>
    <a href="/cart">Cart <span class="count" data-cart-count>0</span></a>
    <button type="button" class="link" data-sign-in>Sign in as Alice</button>
  </nav>
</header>
<main>${bodies[name]({ product })}</main>
<footer class="foot">Northwind Outfitters is a demo shop for Threadline. Nothing here is for sale.${askConsent ? ' <button type="button" class="link" data-chat-privacy>Chat privacy</button>' : ''}</footer>
</body>
</html>`;
}
