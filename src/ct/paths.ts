/** The RFC 6962 §4 path prefix: every endpoint is `<log URL>/ct/v1/<name>`. */
export const CT_PATH_PREFIX = '/ct/v1';
