/** The lab's version, as package.json says it (a unit test keeps the two equal): written into model cards and results. */
export const LAB_VERSION = '0.1.0';
