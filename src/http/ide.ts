import { browserPage, jsonForHtml } from './browser-page';
import { exampleTabs } from './web-assets';

/**
 * GET /graphql from a browser (it asks for HTML and sends no query) gets the
 * GraphQL IDE: GraphiQL, bundled into dist/web at build time, with the
 * examples/graphql documents as tabs. Every other GET /graphql goes on to
 * auth and Apollo. The page itself needs no key; every query it sends does.
 */
export const ideHandler = browserPage('GraphQL IDE', (_req, root) => ({
  title: 'STEDI lakehouse · GraphQL IDE',
  stylesheet: 'ide.css',
  script: 'ide.js',
  body: `<div id="root"></div>
<script type="application/json" id="stedi-config">${jsonForHtml({ graphqlPath: `${root}graphql`, lakePath: root || './', tabs: exampleTabs() })}</script>`,
}));
