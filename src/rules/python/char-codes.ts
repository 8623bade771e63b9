/** The character codes the hand-written Python scans (tokenize, lines, call-keywords, the byte prefilter) test for. */
export const TAB = 9;
export const NL = 10;
export const FF = 12;
export const CR = 13;
export const SPACE = 32;
export const DQ = 34;
export const HASH = 35;
export const SQ = 39;
export const DOT = 46;
export const COLON = 58;
export const SEMI = 59;
export const EQ = 61;
export const BACKSLASH = 92;
