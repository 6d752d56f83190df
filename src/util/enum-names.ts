/**
 * A C enum's names by value, from its generated table (name -> value). The *_LAST sentinels that
 * end most enums are left out: they name no real member.
 */
export function enumNames(table: Readonly<Record<string, number>>): Map<number, string> {
  const names = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) if (!name.endsWith('_LAST') && !names.has(value)) names.set(value, name);
  return names;
}
