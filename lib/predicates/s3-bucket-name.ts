/** S3 bucket names, as general-purpose buckets take them. */

export const S3_BUCKET_NAME_PATTERN = '^[a-z0-9][a-z0-9.-]*[a-z0-9]$';
export const S3_BUCKET_NAME_MIN_LENGTH = 3;
export const S3_BUCKET_NAME_MAX_LENGTH = 63;
export const S3_BUCKET_NAME_DESCRIPTION =
  'an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit';
