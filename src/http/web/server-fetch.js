// The pages' requests to this server. A request that gets no answer at all (the server stopped or restarting, the
// network down) failed with the browser's own words, "Failed to fetch" (Firefox: "NetworkError when attempting to
// fetch resource."), which name no cause: the lake page showed them alone, the IDE with its minified stack trace.

/** What the pages say when the server gave no answer; the browser's words stay at the end, for a search. */
export function unreachableMessage(error) {
  const said = error && error.message ? ` (the browser said: ${error.message})` : '';
  return `no answer from the server at ${location.host}: it may be stopped or restarting, or the network is down; try again once it is back${said}`;
}

/** fetch, with a request that got no answer thrown as an Error saying so. */
export async function fetchServer(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new Error(unreachableMessage(error));
  }
}
