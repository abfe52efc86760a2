/** The software version recorded in model files, surface files and SVG metadata. Keep in step with package.json. */
export const SOFTWARE_VERSION = '0.1.0';
