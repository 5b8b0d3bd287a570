// Submits the logout hand-over form as soon as the page loads, so the user
// sees one click, not two. A separate file because the page's
// Content-Security-Policy allows no inline script; without JavaScript the
// form's button does the same.
(function () {
  'use strict';
  const form = document.querySelector('form[data-autosubmit]');
  if (form) form.submit();
})();
