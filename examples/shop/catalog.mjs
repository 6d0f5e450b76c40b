/** The demo catalogue. Prices in EUR cents. */
export const PRODUCTS = [
  { id: 'trail-runner', name: 'Trail Runner 2', price: 12900, colour: '#2f6f4f', blurb: 'Grippy, light and quick to dry. For muddy mornings.' },
  { id: 'city-sneaker', name: 'City Sneaker', price: 8900, colour: '#3b4a8c', blurb: 'Soft leather, cushioned sole, goes with everything.' },
  { id: 'rain-shell', name: 'Rain Shell Jacket', price: 15900, colour: '#b8562b', blurb: 'Fully taped seams and a hood that stays put in the wind.' },
  { id: 'wool-beanie', name: 'Merino Beanie', price: 2900, colour: '#7a3b69', blurb: 'Warm, itch-free merino wool. One size.' },
  { id: 'day-pack', name: 'Day Pack 22 L', price: 7400, colour: '#4d5b2a', blurb: 'Laptop sleeve, bottle pockets, weatherproof base.' },
  { id: 'thermo-bottle', name: 'Thermo Bottle', price: 3200, colour: '#1f6b8f', blurb: 'Keeps coffee hot for 12 hours, water cold for 24.' },
];

export const euros = (cents) => `€${(cents / 100).toFixed(2)}`;
