/**
 * The AWS partition a region belongs to, for building ARNs (`arn:<partition>:…`). Commercial regions are `aws`;
 * China, GovCloud, the ISO clouds and the European Sovereign Cloud have their own partitions.
 */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | 'aws-iso-e' | 'aws-iso-f' | 'aws-eusc';

// Order matters: `us-isob-` and `us-isof-` must be tested before `us-iso-`.
const PREFIXES: ReadonlyArray<readonly [string, Partition]> = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['eusc-', 'aws-eusc'],
];

export function partitionOf(region: string): Partition {
  for (const [prefix, partition] of PREFIXES) if (region.startsWith(prefix)) return partition;
  return 'aws';
}
