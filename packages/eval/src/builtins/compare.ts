/**
 * Nix 2.8's CompareValues (the `<` of sort's fast path and genericClosure's key set) and a
 * reproduction of libstdc++'s std::stable_sort and std::set insertion, so that comparators are
 * called on the same pairs in the same order as Nix calls them: results for inconsistent
 * comparators and the first error raised are then the same as Nix's.
 */
import { eqValues, evalError, force, showType, type Lazy, type Value } from './api';
import { K_PATH, K_STRING } from '../value';
import { compareUtf8 } from '@m/nix-compat';

/** strcmp-like order of the bytes of two strings. */
export function byteStringLess(a: string, b: string): boolean {
  return compareUtf8(a, b) < 0;
}

type Kind = 'int' | 'float' | 'string' | 'path' | 'list' | 'other';

function kindOf(v: Value): Kind {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object' && v !== null) {
    if (v.k === K_STRING) return 'string';
    if (v.k === K_PATH) return 'path';
  }
  return 'other';
}

function sameNixType(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return typeof a === typeof b;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== 'other' || kb !== 'other') return ka === kb;
  // attribute sets vs functions
  const isSetA = (a as { k: number }).k === 3;
  const isSetB = (b as { k: number }).k === 3;
  return isSetA === isSetB;
}

/** Nix's CompareValues: a strict "less than" over numbers, strings, paths and lists. */
export function compareLess(a: Lazy, b: Lazy): boolean {
  const v1 = force(a);
  const v2 = force(b);
  const k1 = kindOf(v1);
  const k2 = kindOf(v2);
  if (k1 === 'float' && k2 === 'int') return (v1 as number) < Number(v2 as bigint);
  if (k1 === 'int' && k2 === 'float') return Number(v1 as bigint) < (v2 as number);
  if (!sameNixType(v1, v2)) throw evalError(`cannot compare ${showType(v1)} with ${showType(v2)}`);
  switch (k1) {
    case 'int':
      return (v1 as bigint) < (v2 as bigint);
    case 'float':
      return (v1 as number) < (v2 as number);
    case 'string': {
      const s1 = typeof v1 === 'string' ? v1 : (v1 as { s: string }).s;
      const s2 = typeof v2 === 'string' ? v2 : (v2 as { s: string }).s;
      return byteStringLess(s1, s2);
    }
    case 'path':
      return byteStringLess((v1 as { path: string }).path, (v2 as { path: string }).path);
    case 'list': {
      const l1 = v1 as Lazy[];
      const l2 = v2 as Lazy[];
      for (let i = 0; ; i++) {
        if (i === l2.length) return false;
        if (i === l1.length) return true;
        if (!eqValues(l1[i], l2[i])) return compareLess(l1[i], l2[i]);
      }
    }
    default:
      throw evalError(`cannot compare ${showType(v1)} with ${showType(v2)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// std::stable_sort (libstdc++, with a temporary buffer as it always gets in practice)

type Less<T> = (x: T, y: T) => boolean;

const CHUNK = 7;

function insertionSort<T>(a: T[], first: number, last: number, less: Less<T>): void {
  if (first === last) return;
  for (let i = first + 1; i < last; i++) {
    const val = a[i];
    if (less(val, a[first])) {
      for (let k = i; k > first; k--) a[k] = a[k - 1];
      a[first] = val;
    } else {
      let j = i;
      let next = i - 1;
      while (less(val, a[next])) {
        a[j] = a[next];
        j = next;
        next--;
      }
      a[j] = val;
    }
  }
}

function moveMerge<T>(src: T[], f1: number, l1: number, f2: number, l2: number, dst: T[], r: number, less: Less<T>): number {
  while (f1 !== l1 && f2 !== l2) {
    if (less(src[f2], src[f1])) dst[r++] = src[f2++];
    else dst[r++] = src[f1++];
  }
  while (f1 !== l1) dst[r++] = src[f1++];
  while (f2 !== l2) dst[r++] = src[f2++];
  return r;
}

function mergeSortLoop<T>(src: T[], first: number, last: number, dst: T[], r: number, step: number, less: Less<T>): void {
  const two = 2 * step;
  while (last - first >= two) {
    r = moveMerge(src, first, first + step, first + step, first + two, dst, r, less);
    first += two;
  }
  const s = Math.min(last - first, step);
  moveMerge(src, first, first + s, first + s, last, dst, r, less);
}

function mergeSortWithBuffer<T>(a: T[], first: number, last: number, buf: T[], less: Less<T>): void {
  const len = last - first;
  let step = CHUNK;
  let f = first;
  while (last - f >= CHUNK) {
    insertionSort(a, f, f + CHUNK, less);
    f += CHUNK;
  }
  insertionSort(a, f, last, less);
  while (step < len) {
    mergeSortLoop(a, first, last, buf, 0, step, less);
    step *= 2;
    mergeSortLoop(buf, 0, len, a, first, step, less);
    step *= 2;
  }
}

function mergeAdaptive<T>(a: T[], first: number, middle: number, last: number, buf: T[], less: Less<T>): void {
  const len1 = middle - first;
  const len2 = last - middle;
  if (len1 <= len2) {
    for (let i = 0; i < len1; i++) buf[i] = a[first + i];
    let f1 = 0;
    let f2 = middle;
    let r = first;
    while (f1 !== len1 && f2 !== last) {
      if (less(a[f2], buf[f1])) a[r++] = a[f2++];
      else a[r++] = buf[f1++];
    }
    while (f1 !== len1) a[r++] = buf[f1++];
  } else {
    for (let i = 0; i < len2; i++) buf[i] = a[middle + i];
    let r = last;
    if (first === middle) {
      for (let i = len2 - 1; i >= 0; i--) a[--r] = buf[i];
      return;
    }
    if (len2 === 0) return;
    let l1 = middle - 1;
    let l2 = len2 - 1;
    for (;;) {
      if (less(buf[l2], a[l1])) {
        a[--r] = a[l1];
        if (l1 === first) {
          for (let i = l2; i >= 0; i--) a[--r] = buf[i];
          return;
        }
        l1--;
      } else {
        a[--r] = buf[l2];
        if (l2 === 0) return;
        l2--;
      }
    }
  }
}

/** Sorts `a` in place exactly as libstdc++'s std::stable_sort would (same comparator calls). */
export function stableSortLikeLibstdcxx<T>(a: T[], less: Less<T>): void {
  const n = a.length;
  if (n === 0) return;
  const middle = (n + 1) >> 1;
  const buf = new Array<T>(middle);
  mergeSortWithBuffer(a, 0, middle, buf, less);
  mergeSortWithBuffer(a, middle, n, buf, less);
  mergeAdaptive(a, 0, middle, n, buf, less);
}

// ---------------------------------------------------------------------------------------------
// std::set<Value*, CompareValues>::insert (libstdc++ red-black tree)

interface RBNode<T> {
  key: T;
  left: RBNode<T> | null;
  right: RBNode<T> | null;
  parent: RBNode<T> | null;
  red: boolean;
}

export interface OrderedSet<T> {
  /** Inserts `k` unless an equivalent key is present; true when inserted. */
  insert(k: T): boolean;
}

export function createOrderedSet<T>(less: Less<T>): OrderedSet<T> {
  let root: RBNode<T> | null = null;
  let leftmost: RBNode<T> | null = null;

  const rotateLeft = (x: RBNode<T>): void => {
    const y = x.right!;
    x.right = y.left;
    if (y.left) y.left.parent = x;
    y.parent = x.parent;
    if (x === root) root = y;
    else if (x === x.parent!.left) x.parent!.left = y;
    else x.parent!.right = y;
    y.left = x;
    x.parent = y;
  };
  const rotateRight = (x: RBNode<T>): void => {
    const y = x.left!;
    x.left = y.right;
    if (y.right) y.right.parent = x;
    y.parent = x.parent;
    if (x === root) root = y;
    else if (x === x.parent!.right) x.parent!.right = y;
    else x.parent!.left = y;
    y.right = x;
    x.parent = y;
  };

  const rebalance = (node: RBNode<T>): void => {
    let x = node;
    while (x !== root && x.parent!.red) {
      const p = x.parent!;
      const xpp = p.parent!;
      if (p === xpp.left) {
        const y = xpp.right;
        if (y && y.red) {
          p.red = false;
          y.red = false;
          xpp.red = true;
          x = xpp;
        } else {
          if (x === p.right) {
            x = p;
            rotateLeft(x);
          }
          x.parent!.red = false;
          xpp.red = true;
          rotateRight(xpp);
        }
      } else {
        const y = xpp.left;
        if (y && y.red) {
          p.red = false;
          y.red = false;
          xpp.red = true;
          x = xpp;
        } else {
          if (x === p.left) {
            x = p;
            rotateRight(x);
          }
          x.parent!.red = false;
          xpp.red = true;
          rotateLeft(xpp);
        }
      }
    }
    root!.red = false;
  };

  const insertAt = (k: T, y: RBNode<T> | null): void => {
    const insertLeft = y === null || less(k, y.key);
    const z: RBNode<T> = { key: k, left: null, right: null, parent: y, red: true };
    if (y === null) {
      root = z;
      leftmost = z;
    } else if (insertLeft) {
      y.left = z;
      if (y === leftmost) leftmost = z;
    } else y.right = z;
    rebalance(z);
  };

  const predecessor = (n: RBNode<T>): RBNode<T> => {
    if (n.left) {
      let m = n.left;
      while (m.right) m = m.right;
      return m;
    }
    let m = n;
    let p = m.parent!;
    while (m === p.left) {
      m = p;
      p = p.parent!;
    }
    return p;
  };

  return {
    insert(k: T): boolean {
      let x = root;
      let y: RBNode<T> | null = null;
      let comp = true;
      while (x !== null) {
        y = x;
        comp = less(k, x.key);
        x = comp ? x.left : x.right;
      }
      let j = y;
      if (comp) {
        if (j === leftmost) {
          insertAt(k, y);
          return true;
        }
        j = predecessor(j!);
      }
      if (less(j!.key, k)) {
        insertAt(k, y);
        return true;
      }
      return false;
    },
  };
}
