import type { NextFunction, Request, Response } from 'express';
import { escapeHtml, jsonForHtml, notBuiltPage, pageHeaders, wantsHtml } from './page-headers';
import { exampleTabs, WEB_PATH, webBuilt } from './web-assets';

/**
 * GET /graphql from a browser (it asks for HTML and sends no query) gets the
 * GraphQL IDE: GraphiQL, bundled into dist/web at build time, with the
 * examples/graphql documents as tabs. Every other GET /graphql goes on to
 * auth and Apollo. The page itself needs no key; every query it sends does.
 */
export function ideHandler(req: Request, res: Response, next: NextFunction): void {
  if (!wantsHtml(req)) {
    next();
    return;
  }
  const nonce = pageHeaders(res);
  if (!webBuilt()) {
    res.status(503).send(notBuiltPage('GraphQL IDE'));
    return;
  }
  const config = { graphqlPath: req.baseUrl || '/graphql', tabs: exampleTabs() };
  res.send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>STEDI lakehouse · GraphQL IDE</title>
<link rel="stylesheet" href="${WEB_PATH}/ide.css">
</head>
<body>
<div id="root"></div>
<script type="application/json" id="stedi-config">${jsonForHtml(config)}</script>
<script nonce="${escapeHtml(nonce)}" src="${WEB_PATH}/ide.js"></script>
</body>
</html>
`);
}
