// Starts GraphiQL on the page rendered by service/web/graphiql.py. Its settings come
// from the page's JSON block rather than an inline script, so the page's
// Content-Security-Policy can allow scripts from this origin only.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var props = {
    // The page is served at the endpoint itself, behind whatever prefix a proxy adds.
    fetcher: GraphiQL.createFetcher({ url: window.location.pathname }),
    defaultQuery: config.query,
    defaultEditorToolsVisibility: config.headers ? "headers" : true,
    isHeadersEditorEnabled: true,
    // A token typed into the Headers tab stays out of localStorage.
    shouldPersistHeaders: false,
  };
  if (config.headers) {
    // The demo token changes with every `serve --demo`: open a tab carrying this one
    // instead of a tab remembered from an earlier run.
    props.query = config.query;
    props.headers = config.headers;
  } else {
    props.defaultHeaders = config.defaultHeaders;
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, props),
  );
})();
