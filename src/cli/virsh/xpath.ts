// virshDumpXML's --xpath: the nodes an XPath expression selects, printed as libxml2 prints them.

import type { VirshControl } from './control.js';

/** Prints what `xpath` selects in `xml`; false after an error. */
export function printXPath(ctl: VirshControl, _xml: string, _xpath: string, _wrap: boolean): boolean {
  ctl.error('--xpath is not implemented by virsh-rpc yet');
  return false;
}
