/**
 * The labelled evaluation set of the knowledge base: 44 short documents of an engineering team's
 * handbook, and queries of three kinds, each naming the document that answers it:
 * - `paraphrase`: the question asked in other words than the document's (few shared terms);
 * - `keyword`: an exact identifier, code, name or number found in one document;
 * - `negative`: a question no document answers (the best score must stay below the threshold).
 * Written for this project; used by `npm run bench:kb` and the embedder comparison (docs/memory.md).
 */
export interface EvalDoc {
  id: string;
  title: string;
  content: string;
}
export interface EvalQuery {
  q: string;
  kind: 'paraphrase' | 'keyword' | 'negative';
  /** The id of the document that answers it (none for negatives). */
  doc?: string;
}

export const EVAL_DOCS: EvalDoc[] = [
  { id: 'd01', title: 'On-call rotation', content: 'The on-call engineer rotates every Monday at 10:00 UTC. Handover happens in the #ops-handover channel, and the outgoing engineer writes a summary of open incidents. Rotation schedules live in PagerDuty under the service ACP-PLATFORM.' },
  { id: 'd02', title: 'Expense reimbursement', content: 'Travel and equipment costs are paid back through the finance portal within 14 days. Attach the receipt as a PDF and choose cost centre CC-4410. Purchases above 500 euros need approval from your manager first.' },
  { id: 'd03', title: 'Database backups', content: 'PostgreSQL is backed up nightly with pgBackRest to object storage, and write-ahead logs are archived continuously. A full restore drill runs on the first Tuesday of every quarter; the last one took 38 minutes.' },
  { id: 'd04', title: 'Vacation policy', content: 'Employees get 28 days of paid leave per year. Book time off in the HR system at least two weeks ahead, and tell your team in the planning meeting. Unused days carry over until the end of March.' },
  { id: 'd05', title: 'Deploying services', content: 'Services are deployed with Argo CD from the main branch. A deploy needs a green pipeline and one approval. Rollbacks are done by reverting the commit; Argo CD syncs the previous manifest within two minutes.' },
  { id: 'd06', title: 'Password manager', content: 'Every team shares credentials through the company vault in 1Password. Never paste secrets into chat or tickets. Rotating a shared secret means updating the vault entry and notifying the owners listed on it.' },
  { id: 'd07', title: 'Incident severity levels', content: 'SEV1 means customers cannot use the product at all and pages the whole on-call chain. SEV2 is a major degradation with a workaround. SEV3 covers minor bugs that can wait for business hours.' },
  { id: 'd08', title: 'Office access', content: 'The Berlin office opens at 7:30 and closes at 21:00. Badges are issued by reception on your first day. Visitors must be registered the day before in the Envoy visitor app.' },
  { id: 'd09', title: 'Code review guidelines', content: 'Pull requests should stay under 400 changed lines. Reviewers answer within one working day. Authors resolve every comment before merging, and a second approval is needed for changes to payment code.' },
  { id: 'd10', title: 'Kafka topics', content: 'Event topics follow the naming scheme domain.entity.v1, for example billing.invoice.v1. Retention is seven days by default. Topics are created through a Terraform module, never by hand in the console.' },
  { id: 'd11', title: 'Laptop setup', content: 'New laptops are enrolled in Jamf on the first login. Install the developer toolchain with the bootstrap script, which sets up Homebrew, Node 20, Docker and the VPN client. Disk encryption is mandatory.' },
  { id: 'd12', title: 'Parental leave', content: 'Parents receive 16 weeks of fully paid leave after the birth or adoption of a child, which can be split into two blocks within the first year. Tell HR at least eight weeks before the planned start.' },
  { id: 'd13', title: 'API rate limits', content: 'The public API allows 600 requests per minute per key. Exceeding it returns HTTP 429 with a Retry-After header. Enterprise customers can ask for higher quotas through their account manager.' },
  { id: 'd14', title: 'Error ERR_CACHE_STALE_42', content: 'ERR_CACHE_STALE_42 appears when the product catalogue cache is older than its time to live and the refresh job failed. Clear it by running the cache-warmup job manually from the scheduler.' },
  { id: 'd15', title: 'Performance reviews', content: 'Reviews happen twice a year, in April and October. Each engineer writes a self-assessment, collects peer feedback from three colleagues, and discusses goals with their manager.' },
  { id: 'd16', title: 'Logging standards', content: 'Services log JSON lines with a request id, a level and a message. Personal data such as emails or names must never appear in logs. Logs are shipped to Loki and kept for thirty days.' },
  { id: 'd17', title: 'Kubernetes clusters', content: 'Production runs on three Kubernetes clusters in Frankfurt, Dublin and Stockholm. The API server listens on port 6443 behind the corporate VPN. Node pools scale automatically between 6 and 40 machines.' },
  { id: 'd18', title: 'Lunch and snacks', content: 'The kitchen is restocked every morning with fruit, bread and coffee. Team lunch is paid by the company on Thursdays. Dietary needs can be entered in the catering form.' },
  { id: 'd19', title: 'Feature flags', content: 'New features ship behind flags managed in Unleash. A flag older than ninety days must be removed or made permanent. Flag names start with the team prefix, like payments-new-checkout.' },
  { id: 'd20', title: 'Security training', content: 'Everyone completes the phishing awareness course within their first month and once a year after that. Suspicious emails are reported with the Report button, which forwards them to the security team.' },
  { id: 'd21', title: 'Customer support escalation', content: 'Support agents escalate a ticket to engineering when it blocks a paying customer for more than four hours. The escalation goes to the Jira project SUP with the label needs-eng.' },
  { id: 'd22', title: 'Hiring process', content: 'Candidates go through a recruiter call, a take-home exercise, a technical interview and a values conversation. Interviewers submit written feedback within 24 hours in Greenhouse.' },
  { id: 'd23', title: 'Remote work', content: 'Staff may work from home up to three days a week and from abroad for up to 30 days a year. A home-office budget of 800 euros covers a desk, a chair and a monitor.' },
  { id: 'd24', title: 'TLS certificates', content: 'Certificates are issued automatically by cert-manager using Let\'s Encrypt and renewed thirty days before expiry. The wildcard certificate for *.internal.example is managed by the platform team.' },
  { id: 'd25', title: 'Data retention', content: 'Customer data is deleted 90 days after a contract ends. Invoices are kept for ten years because tax law requires it. Deletion requests under GDPR are handled by the privacy team within one month.' },
  { id: 'd26', title: 'Frontend build', content: 'The web app is built with Vite and TypeScript. Bundles larger than 250 kB trigger a warning in the pipeline. Storybook documents every shared component of the design system.' },
  { id: 'd27', title: 'Meeting culture', content: 'Meetings need an agenda and end five minutes before the hour. Wednesday afternoons are kept free of meetings so people can focus. Decisions are written down in the meeting notes.' },
  { id: 'd28', title: 'Load testing', content: 'Before a large launch, the team runs load tests with k6 against the staging environment at three times the expected peak traffic, and compares latency percentiles with the previous release.' },
  { id: 'd29', title: 'Bike leasing', content: 'Employees can lease a bicycle or e-bike through JobRad. The monthly rate is taken from the gross salary, and the company pays the insurance.' },
  { id: 'd30', title: 'Monitoring alerts', content: 'Alerts are defined in Prometheus rules and routed by Alertmanager. An alert must link to a runbook. Alerts that fire more than five times a week without action are reviewed and tuned.' },
  { id: 'd31', title: 'Open source contributions', content: 'Engineers may contribute to open source projects during work hours. Publishing a new company repository needs approval from the OSPO and a licence check; Apache-2.0 is the default licence.' },
  { id: 'd32', title: 'Sick leave', content: 'If you are ill, tell your manager before 10:00 and record the absence in the HR system. From the fourth day of illness a doctor\'s note is required.' },
  { id: 'd33', title: 'Git branching', content: 'We use trunk-based development: short-lived branches merged into main within two days. Branch names follow type/ticket-description, for example fix/PAY-123-rounding.' },
  { id: 'd34', title: 'Cloud costs', content: 'Each team gets a monthly cloud budget report. Idle resources tagged env=dev are shut down every night at 20:00 by the janitor job. Reserved instances are bought by the FinOps group.' },
  { id: 'd35', title: 'Mobile releases', content: 'The iOS and Android apps are released every two weeks through a staged rollout that starts at 5 percent of users. A crash rate above 1 percent halts the rollout automatically.' },
  { id: 'd36', title: 'Conference budget', content: 'Every engineer has a yearly learning budget of 1500 euros for conferences, courses and books. Speakers at a conference get their travel paid on top of that budget.' },
  { id: 'd37', title: 'Message queue outage runbook', content: 'When RabbitMQ queues pile up, first check consumer health in Grafana, then restart stuck consumers one by one. Do not purge queues without approval from the owning team.' },
  { id: 'd38', title: 'Accessibility', content: 'Web pages must meet WCAG 2.1 level AA. Every image needs alternative text, and the colour contrast of text must be at least 4.5 to 1. Screen reader checks are part of the release checklist.' },
  { id: 'd39', title: 'Pension plan', content: 'The company pays 4 percent of the gross salary into a pension plan, and matches an additional 2 percent when the employee contributes the same amount.' },
  { id: 'd40', title: 'Schema migrations', content: 'Database schema changes are written as Flyway migrations and must be backward compatible for one release, so that old and new versions of a service can run side by side during a deploy.' },
  { id: 'd41', title: 'Equipment return', content: 'When leaving the company, return your laptop, badge and any monitors to IT on your last day. Devices are wiped and reused after a hardware check.' },
  { id: 'd42', title: 'DNS changes', content: 'DNS records live in Route 53 and are changed only through pull requests to the dns-records repository. The TTL of production records is 300 seconds.' },
  { id: 'd43', title: 'Search service', content: 'Product search runs on OpenSearch with two replicas per index. Reindexing the catalogue takes about forty minutes and is done with an alias swap so that search stays available.' },
  { id: 'd44', title: 'Team offsite', content: 'Each team meets in person for a two-day offsite once a year. The company covers travel and hotel, and the team picks a location within Europe.' },
];

export const EVAL_QUERIES: EvalQuery[] = [
  // paraphrased: the answer in other words
  { q: 'who do I hand my pager duties to at the start of the week', kind: 'paraphrase', doc: 'd01' },
  { q: 'how do I get money back for a train ticket I bought for work', kind: 'paraphrase', doc: 'd02' },
  { q: 'how often is the database copied so we can recover it', kind: 'paraphrase', doc: 'd03' },
  { q: 'how many holidays do I have each year', kind: 'paraphrase', doc: 'd04' },
  { q: 'how do I undo a bad release', kind: 'paraphrase', doc: 'd05' },
  { q: 'where should shared logins be stored', kind: 'paraphrase', doc: 'd06' },
  { q: 'what counts as the most serious outage category', kind: 'paraphrase', doc: 'd07' },
  { q: 'what time does the building close in the evening', kind: 'paraphrase', doc: 'd08' },
  { q: 'how big may a merge request be', kind: 'paraphrase', doc: 'd09' },
  { q: 'how long are messages kept on the event streams', kind: 'paraphrase', doc: 'd10' },
  { q: 'what software do I install on a new computer', kind: 'paraphrase', doc: 'd11' },
  { q: 'how much time off do I get when my baby is born', kind: 'paraphrase', doc: 'd12' },
  { q: 'what happens when a client sends too many calls to our interface', kind: 'paraphrase', doc: 'd13' },
  { q: 'how often do managers evaluate engineers', kind: 'paraphrase', doc: 'd15' },
  { q: 'can I write customer email addresses into application output', kind: 'paraphrase', doc: 'd16' },
  { q: 'in which cities are our production machines hosted', kind: 'paraphrase', doc: 'd17' },
  { q: 'does the company pay for food', kind: 'paraphrase', doc: 'd18' },
  { q: 'when must an old toggle for unfinished functionality be cleaned up', kind: 'paraphrase', doc: 'd19' },
  { q: 'what should I do with a suspicious email', kind: 'paraphrase', doc: 'd20' },
  { q: 'when does a support ticket go to the developers', kind: 'paraphrase', doc: 'd21' },
  { q: 'what are the steps of the interview process for applicants', kind: 'paraphrase', doc: 'd22' },
  { q: 'how many days can I work from my flat', kind: 'paraphrase', doc: 'd23' },
  { q: 'how are https certificates renewed', kind: 'paraphrase', doc: 'd24' },
  { q: 'how long do we keep client information after they cancel', kind: 'paraphrase', doc: 'd25' },
  { q: 'which tool bundles the browser application', kind: 'paraphrase', doc: 'd26' },
  { q: 'which afternoon has no meetings', kind: 'paraphrase', doc: 'd27' },
  { q: 'how do we check the system copes with heavy traffic before a launch', kind: 'paraphrase', doc: 'd28' },
  { q: 'can I get a bicycle through my employer', kind: 'paraphrase', doc: 'd29' },
  { q: 'what must every alarm link to', kind: 'paraphrase', doc: 'd30' },
  { q: 'what do I do when I am sick', kind: 'paraphrase', doc: 'd32' },
  { q: 'how long may a feature branch live', kind: 'paraphrase', doc: 'd33' },
  { q: 'who pays for training and books', kind: 'paraphrase', doc: 'd36' },
  { q: 'messages are piling up in the broker, what now', kind: 'paraphrase', doc: 'd37' },
  { q: 'what contrast ratio do web pages need for visually impaired users', kind: 'paraphrase', doc: 'd38' },
  { q: 'how much does the employer put towards retirement', kind: 'paraphrase', doc: 'd39' },
  { q: 'what do I give back on my last day', kind: 'paraphrase', doc: 'd41' },
  // keyword: exact identifiers, codes, names, numbers
  { q: 'ERR_CACHE_STALE_42', kind: 'keyword', doc: 'd14' },
  { q: 'cost centre CC-4410', kind: 'keyword', doc: 'd02' },
  { q: 'pgBackRest', kind: 'keyword', doc: 'd03' },
  { q: 'Argo CD sync', kind: 'keyword', doc: 'd05' },
  { q: 'SEV2', kind: 'keyword', doc: 'd07' },
  { q: 'billing.invoice.v1', kind: 'keyword', doc: 'd10' },
  { q: 'Jamf enrollment', kind: 'keyword', doc: 'd11' },
  { q: 'port 6443', kind: 'keyword', doc: 'd17' },
  { q: 'Unleash', kind: 'keyword', doc: 'd19' },
  { q: 'Jira project SUP needs-eng', kind: 'keyword', doc: 'd21' },
  { q: 'Greenhouse feedback', kind: 'keyword', doc: 'd22' },
  { q: 'cert-manager', kind: 'keyword', doc: 'd24' },
  { q: 'k6 staging', kind: 'keyword', doc: 'd28' },
  { q: 'JobRad', kind: 'keyword', doc: 'd29' },
  { q: 'OSPO Apache-2.0', kind: 'keyword', doc: 'd31' },
  { q: 'fix/PAY-123-rounding', kind: 'keyword', doc: 'd33' },
  { q: 'env=dev janitor', kind: 'keyword', doc: 'd34' },
  { q: 'Flyway', kind: 'keyword', doc: 'd40' },
  { q: 'Route 53 TTL', kind: 'keyword', doc: 'd42' },
  { q: 'OpenSearch alias swap', kind: 'keyword', doc: 'd43' },
  // negative: nobody wrote about these
  { q: 'what is the recipe for sourdough pizza', kind: 'negative' },
  { q: 'who won the football world cup in 1998', kind: 'negative' },
  { q: 'how do I train a parrot to speak', kind: 'negative' },
  { q: 'quantum chromodynamics gluon confinement', kind: 'negative' },
  { q: 'best hiking trails in patagonia', kind: 'negative' },
  { q: 'how to knit a wool scarf', kind: 'negative' },
  { q: 'symptoms of vitamin d deficiency in cats', kind: 'negative' },
  { q: 'medieval castle architecture in scotland', kind: 'negative' },
  { q: 'how tall is the eiffel tower', kind: 'negative' },
  { q: 'lyrics of a famous opera aria', kind: 'negative' },
];
