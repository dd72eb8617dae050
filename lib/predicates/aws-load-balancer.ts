/**
 * The Service annotations of an AWS load balancer that terminates TLS, as both the in-tree cloud
 * provider (kubernetes/cloud-provider-aws, classic ELB) and the AWS Load Balancer Controller (NLB;
 * docs/guide/service/annotations.md) read them.
 */
const PREFIX = 'service.beta.kubernetes.io/aws-load-balancer';

export const AWS_LB_SSL_CERT = `${PREFIX}-ssl-cert`;
export const AWS_LB_SSL_PORTS = `${PREFIX}-ssl-ports`;
export const AWS_LB_BACKEND_PROTOCOL = `${PREFIX}-backend-protocol`;
export const AWS_LB_PROXY_PROTOCOL = `${PREFIX}-proxy-protocol`;

/** The annotations a TLS load balancer's own settings (certificate, PROXY protocol) write. */
export const TLS_LOAD_BALANCER_ANNOTATIONS: readonly string[] = [AWS_LB_SSL_CERT, AWS_LB_SSL_PORTS, AWS_LB_BACKEND_PROTOCOL, AWS_LB_PROXY_PROTOCOL];

export const ACM_CERTIFICATE_ARN_PATTERN = '^arn:aws[a-z-]*:acm:[a-z]{2}(?:-[a-z]+)+-[0-9]+:[0-9]{12}:certificate/[A-Za-z0-9-]{1,128}$';
export const ACM_CERTIFICATE_ARN_DESCRIPTION =
  'the ARN of an ACM certificate, arn:aws:acm:<region>:<account>:certificate/<id>, e.g. ' +
  'arn:aws:acm:ap-northeast-2:123456789012:certificate/0f2b5c1e-7a3d-4e8b-9c6f-1d2e3f4a5b6c';
const ACM_CERTIFICATE_ARN = new RegExp(ACM_CERTIFICATE_ARN_PATTERN);

/** Why `value` is no ACM certificate ARN, or `undefined` when it is one. */
export function acmCertificateArnProblem(value: unknown): string | undefined {
  return typeof value === 'string' && ACM_CERTIFICATE_ARN.test(value) ? undefined : ACM_CERTIFICATE_ARN_DESCRIPTION;
}
