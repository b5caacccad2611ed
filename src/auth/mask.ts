/**
 * Masking on the server (GB/T 35273 §7.2), applied before anything leaves the hub for roles
 * without the need (analysts always): ID number 6+4, phone 3+4, name surname + *.
 */
export const maskIdNumber = (id: string): string => (id.length === 18 ? `${id.slice(0, 6)}********${id.slice(14)}` : '*'.repeat(id.length));
export const maskPhone = (p: string | null | undefined): string | null => (p ? (p.length >= 7 ? `${p.slice(0, 3)}****${p.slice(-4)}` : '****') : null);
export const maskName = (n: string): string => (n ? `${[...n][0]}*` : n);
/**
 * A material's reference (a register or certificate number, a scan's address): it can carry the
 * ID number itself (a disability certificate number is the ID number and two digits) or the
 * household number, so masked access sees only which department vouched for it.
 */
export const maskReference = (reference: string, provenance: string): string => (provenance === 'SHARED_DATA' ? `${reference.split(':')[0]}:****` : '****');
