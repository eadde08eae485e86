// Package browser holds the tests that look at what people look at, in a
// real browser: dli-contract's HTML report and dli-mock's page, opened in
// headless Chromium (Debian's chromium package) and driven from Go by
// chromedp. It is a module of its own, so that the main module's users do
// not inherit chromedp. Where Chromium is missing the tests skip, saying
// so; .ci/run installs it. Each test saves a screenshot under reports/.
package browser
