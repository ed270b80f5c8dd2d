/** DynamoDB update and condition expressions built with placeholders, so no attribute name or value is spliced in. */
/** Builds update/condition expressions with placeholders for every name and value. */
export class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly adds: string[] = [];
  private n = 0;

  /** `attr` is one of our own attribute names, never input. */
  name(attr: string): string {
    const placeholder = `#${attr}`;
    this.names[placeholder] = attr;
    return placeholder;
  }

  value(v: unknown): string {
    const placeholder = `:v${this.n++}`;
    this.values[placeholder] = v;
    return placeholder;
  }

  set(attr: string, v: unknown): void {
    this.sets.push(`${this.name(attr)} = ${this.value(v)}`);
  }

  remove(attr: string): void {
    this.removes.push(this.name(attr));
  }

  add(attr: string, v: number): void {
    this.adds.push(`${this.name(attr)} ${this.value(v)}`);
  }

  updateExpression(): string {
    const parts: string[] = [];
    if (this.sets.length > 0) parts.push(`SET ${this.sets.join(', ')}`);
    if (this.removes.length > 0) parts.push(`REMOVE ${this.removes.join(', ')}`);
    if (this.adds.length > 0) parts.push(`ADD ${this.adds.join(', ')}`);
    return parts.join(' ');
  }
}
