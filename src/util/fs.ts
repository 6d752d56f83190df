import { accessSync, constants } from 'node:fs';

/** access(path, R_OK) == 0 */
export function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
