/**
 * Roles Tourniquet never changes, whatever the policy file says, because AWS manages them and a change is either
 * refused or undone: service-linked roles (path `/aws-service-role/`, names `AWSServiceRoleFor…`; their sessions
 * cannot be revoked) and IAM Identity Center roles (`AWSReservedSSO_<permission set>_<suffix>`, provisioned from a
 * permission set: containment belongs in Identity Center). Pure: the playbooks check the finding's role name at plan
 * time, the actions check the live role before they write.
 */

export type ProtectedRoleKind = 'service-linked' | 'identity-center';

export interface ProtectedRole {
  readonly kind: ProtectedRoleKind;
  readonly why: string;
}

const SSO_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

/** Why `roleName` (with its ARN when known: the path shows only there) must not be changed; undefined when it may. */
export function protectedRole(roleName: string, roleArn?: string): ProtectedRole | undefined {
  if (roleName.startsWith('AWSServiceRoleFor') || (roleArn !== undefined && roleArn.includes(':role/aws-service-role/'))) {
    return { kind: 'service-linked', why: `${roleName} is a service-linked role: AWS manages its policies and its sessions cannot be revoked` };
  }
  if (roleName.startsWith('AWSReservedSSO_')) {
    return {
      kind: 'identity-center',
      why: `${roleName} is an IAM Identity Center role: it is provisioned from a permission set, and IAM changes to it are refused or overwritten`,
    };
  }
  return undefined;
}

/** The permission set name inside an Identity Center role name (`AWSReservedSSO_DataScience_0123456789abcdef` → `DataScience`). */
export function permissionSetOfSsoRole(roleName: string): string | undefined {
  return SSO_ROLE.exec(roleName)?.[1];
}
