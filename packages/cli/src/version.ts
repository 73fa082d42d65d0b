export const M_VERSION = '0.1.0';
