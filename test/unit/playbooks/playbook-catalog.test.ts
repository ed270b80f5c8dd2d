/**
 * The catalogue (names and subject kinds, known without loading a playbook) and the engine's lazy loading. This file
 * imports neither playbook-list.ts nor actions/registry.ts, so nothing is loaded until a test loads it (Vitest runs
 * each test file in a fresh process).
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, PlanError } from '../../../src/errors.js';
import { getLoadedAction, loadAllPlaybooks, loadPlaybook, loadedPlaybook } from '../../../src/playbooks/loaded-playbooks.js';
import { PLAYBOOK_CATALOG, catalogEntry } from '../../../src/playbooks/playbook-catalog.js';
import { buildPlan, defaultPlaybookFor } from '../../../src/playbooks/registry.js';
import type { Finding, Subject } from '../../../src/findings/model.js';

const instance = { kind: 'ec2-instance', id: 'i-0abc', accountId: '123456789012', region: 'us-east-1', role: 'TARGET', tags: {}, details: {} } as unknown as Subject;
const finding = { id: 'f-1', type: { raw: 'CryptoCurrency:EC2/BitcoinTool.B!DNS' } } as unknown as Finding;

describe('playbook catalogue and lazy loading', () => {
  it('chooses a playbook without loading one, then loads only the playbook asked for', async () => {
    expect(defaultPlaybookFor(instance)).toBe('ec2-instance');
    expect(loadedPlaybook('ec2-instance')).toBeUndefined();
    // Building a plan before its playbook is loaded is a defect of the caller, and says so.
    expect(() => buildPlan('ec2-instance', finding, instance)).toThrow(PlanError);
    expect(() => buildPlan('ec2-instance', finding, instance)).toThrow(/playbook ec2-instance: is not loaded/);
    expect(() => getLoadedAction('ec2.isolate-network-interfaces')).toThrow(NotFoundError);

    const [a, b] = await Promise.all([loadPlaybook('ec2-instance'), loadPlaybook('ec2-instance')]);
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(loadedPlaybook('ec2-instance')).toBe(a);
    expect(loadedPlaybook('iam-user')).toBeUndefined();
    expect(getLoadedAction('ec2.isolate-network-interfaces').name).toBe('ec2.isolate-network-interfaces');
    expect(() => getLoadedAction('iam.deactivate-user-access-keys')).toThrow(/no loaded playbook runs it; loaded: ec2-instance/);
    expect(buildPlan('ec2-instance', finding, instance).steps.map((s) => s.id)).toContain('isolate-network');
  });

  it('an unknown name loads nothing; `none` plans no steps loaded or not', async () => {
    expect(await loadPlaybook('ec2-instanse')).toBeUndefined();
    expect(catalogEntry('ec2-instanse')).toBeUndefined();
    expect(buildPlan('none', finding, instance)).toEqual({ playbook: 'none', incidentKey: expect.any(String), steps: [] });
  });

  it('every line names the playbook its file defines, with the same subject kinds, in the same order', async () => {
    const all = await loadAllPlaybooks();
    expect(all.map((p) => p.name)).toEqual(PLAYBOOK_CATALOG.map((e) => e.name));
    for (const [i, e] of PLAYBOOK_CATALOG.entries()) expect([...all[i]!.subjectKinds], e.name).toEqual([...e.subjectKinds]);
    expect(new Set(all.map((p) => p.name)).size).toBe(all.length);
    // Each playbook's actions are registered once loaded.
    for (const p of all) for (const action of p.actions) expect(getLoadedAction(action.name)).toBe(action);
  });
});
