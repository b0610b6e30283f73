// What secret material looks like, shared by the topology check (refuse it in environment files) and
// by the output rules and `meridian diff` (never write or print it).

/** Values that are secret material whatever field holds them: private keys, cloud keys, Vault/GitHub tokens, JWTs. */
export const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bhv[sbr]\.[A-Za-z0-9_-]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./;

/** Names of environment variables and ConfigMap keys whose values are secrets by name. */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|PSK)/i;
