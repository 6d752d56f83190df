// virshGetDomainDescription: a domain's title or description (metadata, or its XML on old daemons).

import { LibvirtError, VIR_DOMAIN_METADATA_DESCRIPTION, VIR_DOMAIN_METADATA_TITLE, VIR_ERR_NO_DOMAIN_METADATA, VIR_ERR_NO_SUPPORT, type Domain } from '../../index.js';
import { xmlModule } from './xml.js';
import type { VirshControl } from './control.js';

/** The text, '' when there is none; null after an error (kept for the report). */
export async function domainDescription(ctl: VirshControl, dom: Domain, title: boolean, flags: number): Promise<string | null> {
  try {
    return await dom.getMetadata(title ? VIR_DOMAIN_METADATA_TITLE : VIR_DOMAIN_METADATA_DESCRIPTION, null, flags);
  } catch (e) {
    if (e instanceof LibvirtError && e.code === VIR_ERR_NO_DOMAIN_METADATA) {
      ctl.resetError();
      return '';
    }
    if (!(e instanceof LibvirtError) || e.code !== VIR_ERR_NO_SUPPORT) {
      ctl.saveError(e);
      return null;
    }
  }
  let xml: string;
  try {
    xml = await dom.getXMLDesc(flags);
  } catch (e) {
    ctl.saveError(e);
    ctl.error('Failed to get domain description xml');
    return null;
  }
  const root = (await xmlModule()).parseXmlTree(xml);
  return root.children.find((c) => c.name === (title ? 'title' : 'description'))?.text ?? '';
}
