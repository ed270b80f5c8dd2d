/** The organisation the issue measures: 17 Regions and 40 member accounts (ids are made up). */
export const ORGANISATION_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
];
export const ORGANISATION_ACCOUNTS = Array.from({ length: 40 }, (_, i) => String(210000000000 + i * 1111));
