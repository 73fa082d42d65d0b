/** Names of the packages `importHostPackage` can import on this host. */
import { allPackageNames, hasDpkg } from './dpkg';

export function listHostPackages(): string[] {
  return hasDpkg() ? allPackageNames().sort() : [];
}
