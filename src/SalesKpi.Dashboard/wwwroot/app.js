// Draws every chart of the page from the ECharts option the server wrote in its data-chart attribute.
// The page is complete without this script: each chart has a text alternative in its aria-label.
(function () {
  'use strict';
  function draw() {
    if (typeof echarts === 'undefined') { return; }
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      if (el.dataset.drawn) { return; }
      try {
        var chart = echarts.init(el, null, { renderer: 'svg' });
        chart.setOption(JSON.parse(el.dataset.chart));
        el.dataset.drawn = '1';
        window.addEventListener('resize', function () { chart.resize(); });
      } catch (e) {
        el.textContent = el.getAttribute('aria-label') || '';
      }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
