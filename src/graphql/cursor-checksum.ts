/**
 * A cursor's check against damage: a cursor cut short or with a character
 * changed (copied by hand, a notebook cell edited) is told apart from one of
 * another version, consent state or argument, which it would otherwise pass
 * for. FNV-1a over the cursor's JSON text, not a signature: a cursor is no
 * secret, and a forged one reads only what its key may read anyway.
 */
const SEAL = /,"s":"([0-9a-z]{7})"\}$/;

function checksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36).padStart(7, '0');
}

/** The JSON text of a cursor object with its checksum added as its last member, `s`. */
export function sealed(json: string): string {
  return `${json.slice(0, -1)},"s":"${checksum(json)}"}`;
}

/** Whether a cursor's JSON text ends with the checksum of the rest. */
export function intact(json: string): boolean {
  const seal = SEAL.exec(json);
  return seal !== null && checksum(`${json.slice(0, seal.index)}}`) === seal[1];
}
