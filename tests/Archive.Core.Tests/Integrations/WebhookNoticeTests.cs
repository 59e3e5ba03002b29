using System.Security.Cryptography;
using Archive.Audit;
using Archive.Core.Tests.Exchange;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Exchange;
using Archive.Integrations;
using Archive.Reorganisation;
using Archive.Records;
using Archive.Security;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Archive.Core.Tests.Integrations;

/// <summary>
/// The webhook events beyond record-file changes (issue #19 item 1): retention due and plan task overdue (the timed scan, once
/// per subject and due date), handover received and accepted (from the audit trail); each scoped to the agency it concerns.
/// </summary>
public sealed class WebhookNoticeTests
{
    private const string OtherAgency = "000.00.00.H49";
    private const string OtherFonds = "P-H49";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Retention_due_is_noticed_once_30_days_ahead_for_the_agency_holding_the_file_and_never_for_a_secret_one()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Ủy ban nhân dân tỉnh");

        // Closed in 2015, kept 10 years: due for appraisal in 2025, i.e. on 1 January 2025; noticed from 2 December 2024.
        var open = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.CL"), ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        var secret = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.MAT") with { Rights = AccessLevel.Secret }, ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        var foreign = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.VP", fondsCode: OtherFonds), ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        _ = await h.Files.CreateAsync(ArchiveHarness.FileInput("03.CL", 2016), ArchiveHarness.User, Ct); // due 2026: not yet
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 12, 1, 23, 0, 0, TimeSpan.Zero));

        Assert.Equal(0, await Scanner(h, time).ScanAsync(cancellationToken: Ct));
        Assert.Empty(await NoticesAsync(h, ArchiveHarness.AgencyId));

        // Two hosts scanning the same store at once: each subject is claimed by one (create-only key), noticed once.
        time.Advance(TimeSpan.FromHours(2));
        var both = await Task.WhenAll(Scanner(h, time).ScanAsync(cancellationToken: Ct).AsTask(), Scanner(h, time).ScanAsync(cancellationToken: Ct).AsTask());
        Assert.Equal(3, both.Sum());
        Assert.Equal(0, await Scanner(h, time).ScanAsync(cancellationToken: Ct));

        var mine = Assert.Single(await NoticesAsync(h, ArchiveHarness.AgencyId));
        Assert.Equal((WebhookEventKind.RetentionDue, open), (mine.Kind, mine.FileCode));
        Assert.Equal("appraisal", mine.Data["due"]);
        Assert.Equal(new DateOnly(2025, 1, 1), mine.Data["dueDate"]);
        Assert.Equal(ArchiveHarness.FondsCode, mine.Data["fondsCode"]);
        Assert.Equal(foreign, Assert.Single(await NoticesAsync(h, OtherAgency)).FileCode);
        Assert.Equal(3, await CountNoticesAsync(h)); // the Secret file's notice is in the trail, for no subscription without clearance
        Assert.DoesNotContain(await NoticesAsync(h, ArchiveHarness.AgencyId), n => n.FileCode == secret);

        // After a restart, and a year on while still due: not again.
        await h.ReopenAsync();
        time.Advance(TimeSpan.FromDays(365));
        Assert.Equal(1, await Scanner(h, time).ScanAsync(cancellationToken: Ct)); // only the 2016 file, now due in 2026
        Assert.Equal(4, await CountNoticesAsync(h));
    }

    [Fact]
    public async Task A_claim_whose_host_stopped_before_the_trail_is_recorded_later_under_the_same_delivery_key()
    {
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.CL"), ArchiveHarness.User, Ct)).Stored.Value.FileCode;
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, await Scanner(h, time).ScanAsync(cancellationToken: Ct));
        var first = Assert.Single(await NoticesAsync(h, ArchiveHarness.AgencyId));

        // The mark is gone (the host stopped after the claim): a fresh claim is left to its writer, an old one is recorded again.
        var marks = await h.Objects.ListAsync(WebhookDueScanner.SentPrefix, cancellationToken: Ct).ToListAsync(Ct);
        await h.Objects.DeleteAsync(Assert.Single(marks).Key, Ct);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await Scanner(h, time).ScanAsync(cancellationToken: Ct));
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await Scanner(h, time).ScanAsync(cancellationToken: Ct));
        Assert.Equal(0, await Scanner(h, time).ScanAsync(cancellationToken: Ct));
        var notices = await NoticesAsync(h, ArchiveHarness.AgencyId);
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.Equal((code, first.DeliveryKey), (n.FileCode, n.DeliveryKey)));
    }

    [Fact]
    public async Task Plan_tasks_past_their_deadline_and_not_done_are_noticed_once_to_the_agency_leading_them()
    {
        await using var h = ReorgFixture.Create();
        await h.SeedCommunesAsync();
        await h.Events().RecordAsync(ReorgFixture.Consolidation(), ArchiveHarness.User, Ct);
        var plan = await h.Plans().GenerateAsync("2025-NQ-1656", ArchiveHarness.User, Ct);
        var first = plan.Value.Tasks.Min(t => t.Deadline!.Value);
        var lateOfA = plan.Value.Tasks.Where(t => t.Deadline == first && t.AgencyId == ReorgFixture.A).ToList();
        var lateOfB = plan.Value.Tasks.Where(t => t.Deadline == first && t.AgencyId == ReorgFixture.B).ToList();
        Assert.NotEmpty(lateOfA);
        Assert.NotEmpty(lateOfB);

        // One of B's is done: never overdue.
        var done = lateOfB[0];
        await h.Plans().UpdateTaskAsync("2025-NQ-1656", done.Id, new PlanTaskInput { Kind = done.Kind, AgencyId = done.AgencyId, Title = done.Title, LeadUnit = done.LeadUnit, CoordinatingUnits = done.CoordinatingUnits, Deadline = done.Deadline, Status = PlanTaskStatus.Done }, null, ArchiveHarness.User, Ct);

        var time = new FakeTimeProvider(new DateTimeOffset(first.ToDateTime(new TimeOnly(23, 0)), TimeSpan.Zero));
        Assert.Equal(0, await Scanner(h, time).ScanAsync(cancellationToken: Ct)); // the deadline day itself is not late
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(lateOfA.Count + lateOfB.Count - 1, await Scanner(h, time).ScanAsync(cancellationToken: Ct));
        Assert.Equal(0, await Scanner(h, time).ScanAsync(cancellationToken: Ct));

        var ofA = await NoticesAsync(h, ReorgFixture.A);
        Assert.Equal(lateOfA.Select(t => t.Id).Order(), ofA.Select(n => (string)n.Data["taskId"]!).Order());
        Assert.All(ofA, n => Assert.Equal((WebhookEventKind.PlanTaskOverdue, "2025-NQ-1656", first), (n.Kind, (string)n.Data["eventId"]!, (DateOnly)n.Data["deadline"]!)));
        Assert.Equal(lateOfA[0].Title, ofA.Single(n => (string)n.Data["taskId"]! == lateOfA[0].Id).Data["title"]);
        Assert.Equal(lateOfB.Skip(1).Select(t => t.Id).Order(), (await NoticesAsync(h, ReorgFixture.B)).Select(n => (string)n.Data["taskId"]!).Order());
        Assert.Empty(await NoticesAsync(h, ReorgFixture.C));
    }

    [Fact]
    public async Task A_handover_receipt_is_received_when_verified_and_accepted_when_custody_passes_for_the_receiving_agency_only()
    {
        await using var h = ExchangeFixture.CreateEngine();
        await h.SeedCommunesAsync();
        await h.RecordFileAsync("P-A", "01.VP", RandomNumberGenerator.GetBytes(20_000));
        await using var worker = await h.StartWorkerAsync();
        var handing = ExchangeFixture.Staff(ReorgFixture.A);
        var receiving = ExchangeFixture.Staff(ReorgFixture.C, name: "Lê Văn Cường");
        var (_, tar) = await h.ExportHandoverAsync("P-A", ReorgFixture.C, handing);

        var job = await h.ReceiveHandoverAsync(tar, ReorgFixture.C, receiving);
        Assert.Equal(PackageJobState.Verified, job.State);
        var received = Assert.Single(await NoticesAsync(h, ReorgFixture.C, count: 1)); // the worker audits just after it saves the state
        Assert.Equal(WebhookEventKind.HandoverReceived, received.Kind);
        Assert.Equal((job.Id, ReorgFixture.C, ReorgFixture.A, "P-A"), ((string)received.Data["receiptId"]!, (string)received.Data["receivingAgencyId"]!, (string)received.Data["handingAgencyId"]!, (string)received.Data["fondsCode"]!));
        Assert.Empty(await NoticesAsync(h, ReorgFixture.A));

        await h.Exchange().AcceptAsync(job.Id, new AcceptRequest(), receiving, Ct);
        Assert.Equal(PackageJobState.Accepted, (await h.Exchange().WaitSettledAsync(job.Id, receiving)).State);
        var notices = await NoticesAsync(h, ReorgFixture.C, count: 2);
        Assert.Equal([WebhookEventKind.HandoverReceived, WebhookEventKind.HandoverAccepted], notices.Select(n => n.Kind));
        Assert.Equal(("P-A", ReorgFixture.C, ReorgFixture.A), ((string)notices[1].Data["fondsCode"]!, (string)notices[1].Data["receivingAgencyId"]!, (string)notices[1].Data["creatingAgencyId"]!));
        Assert.Empty(await NoticesAsync(h, ReorgFixture.A));
        Assert.Empty(await NoticesAsync(h, ReorgFixture.B));
    }

    [Fact]
    public async Task The_worker_writes_timed_notices_only_while_an_enabled_subscription_wants_them()
    {
        await using var h = ArchiveHarness.Create(services: s => s.Configure<WebhookOptions>(o => o.AllowPrivateNetworks = true));
        await h.SeedAsync();
        await h.Files.CreateAsync(ArchiveHarness.FileInput("01.CL"), ArchiveHarness.User, Ct); // due for appraisal since 2025
        var webhooks = h.Services.GetRequiredService<WebhookService>();
        var worker = h.Services.GetRequiredService<WebhookDeliveryWorker>();
        await webhooks.CreateAsync(new WebhookSubscriptionInput { AgencyId = ArchiveHarness.AgencyId, Url = "http://127.0.0.1:9/hook", Events = [WebhookEventKind.RecordFileChanged] }, null, ArchiveHarness.User, Ct);
        await worker.RunOnceAsync(Ct);
        Assert.Equal(0, await CountNoticesAsync(h));

        await webhooks.CreateAsync(new WebhookSubscriptionInput { AgencyId = ArchiveHarness.AgencyId, Url = "http://127.0.0.1:9/hook", Events = [WebhookEventKind.RetentionDue] }, null, ArchiveHarness.User, Ct);
        await worker.RunOnceAsync(Ct);
        Assert.Equal(1, await CountNoticesAsync(h));
        await worker.RunOnceAsync(Ct);
        Assert.Equal(1, await CountNoticesAsync(h));
    }

    private static WebhookDueScanner Scanner(ArchiveHarness h, TimeProvider time)
        => new(h.Objects, h.Services.GetRequiredService<IAuditTrail>(), h.Planner, h.Services.GetService<ReorganisationService>(), h.Services.GetService<ReorganisationPlanService>(), new WebhookOptions(), time);

    /// <summary>The notices a subscription of the agency sees from the start of the trail (waiting up to 10 s for <paramref name="count"/> of them when given).</summary>
    private static async Task<List<WebhookNotice>> NoticesAsync(ArchiveHarness h, string agencyId, int count = 0)
    {
        var caller = ArchiveCaller.Authenticated(new ArchiveUser("webhook:test"), [ArchiveRoles.Archivist], [agencyId], secretClearance: false, principalId: "webhook:test");
        for (var waited = 0; ; waited += 50)
        {
            var page = await h.Services.GetRequiredService<ChangeFeedService>().ReadForWebhooksAsync(null, 1000, caller, agencyId, Ct);
            var notices = page.Items.Where(i => i.Notice is not null).Select(i => i.Notice!).ToList();
            if (notices.Count >= count || waited > 10_000)
            {
                return notices;
            }

            await Task.Delay(50, Ct);
        }
    }

    private static async Task<int> CountNoticesAsync(ArchiveHarness h)
    {
        var log = h.Services.GetRequiredService<IAuditLog>();
        var count = 0;
        long? cursor = 0;
        while (cursor is { } c)
        {
            var page = await log.QueryAsync(new AuditQuery { Cursor = c, PageSize = 1000 }, Ct);
            count += page.Records.Count(r => r.Event.Action == ChangeFeedService.NoticeAction);
            cursor = page.NextCursor;
        }

        return count;
    }
}
