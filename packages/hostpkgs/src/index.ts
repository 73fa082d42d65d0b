/**
 * @m/hostpkgs — `inputs.nixpkgs.<name>`: packages of the host distribution (Debian, via dpkg)
 * imported into the store so they run from the store anywhere, even in a sandbox holding nothing
 * but their closure. Each package becomes its own content-addressed store path
 * `<name>-<upstream version>`: files laid out as bin/ lib/ libexec/ share/, ELF interpreters and
 * RUNPATHs pointing at the store paths of the packages providing the libraries, which are imported
 * first (dependency cycles are merged into one path).
 */
export { importHostPackage, storeNameOf, type HostPkgEvent, type ImportOptions, type ImportResult } from './import';
export { listHostPackages } from './list';
export { layoutPath } from './layout';
export { readElf, type ElfInfo } from './elf';
