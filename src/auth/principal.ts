/** Who is asking: the role an API key carries. Personal fields and rebuilds need `admin`. */
export const ROLES = ['analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  role: Role;
  /** A non-secret label for logs (never the key itself). */
  keyId: string;
}
