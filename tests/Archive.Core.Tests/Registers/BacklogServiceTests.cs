using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Records;
using Archive.Registers;
using Archive.Reorganisation;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Registers;

/// <summary>The backlog register (issue #18 item 3): batches of un-arranged records, their processing and the record files produced.</summary>
public sealed class BacklogServiceTests
{
    private const string OtherAgency = "000.00.00.H49";
    private const string OtherFonds = "P-H49";
    private static readonly ArchiveCaller Archivist = ArchiveCaller.Authenticated(ArchiveHarness.User, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId]);
    private static readonly ArchiveCaller OtherArchivist = ArchiveCaller.Authenticated(new ArchiveUser("Lê Văn Khác"), [ArchiveRoles.Archivist], [OtherAgency]);
    private static readonly ArchiveCaller Supervisor = ArchiveCaller.Authenticated(new ArchiveUser("Sở Nội vụ"), [ArchiveRoles.Supervisor]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static BacklogBatchInput Batch(string? id = "BL-01") => new()
    {
        Id = id,
        AgencyId = ArchiveHarness.AgencyId,
        SourceAgency = "Văn phòng Bộ (kho tầng 3)",
        FondsCode = ArchiveHarness.FondsCode,
        FromYear = 2005,
        ToYear = 2012,
        ShelfMetres = 12.5m,
        Boxes = 110,
        Bundles = 14,
        Condition = PhysicalCondition.Damaged,
        Location = "K1",
        Notes = "Tài liệu bó gói, chưa sắp xếp",
    };

    private static async Task<ArchiveHarness> SeededAsync()
    {
        var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.SeedAsync(OtherAgency, OtherFonds, "Ủy ban nhân dân tỉnh");
        return h;
    }

    [Fact]
    public async Task Registering_refuses_every_broken_rule_by_field_and_stores_nothing()
    {
        await using var h = await SeededAsync();
        var backlog = h.Services.GetRequiredService<BacklogService>();

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backlog.RegisterAsync(
            Batch("bad id!") with { SourceAgency = " ", FromYear = 2012, ToYear = 2005, ShelfMetres = -0.5m, Boxes = -1, Bundles = -2, Condition = (PhysicalCondition)9, FondsCode = OtherFonds },
            Archivist, ArchiveHarness.User, Ct));

        var rules = ex.Errors.Select(e => (e.Field, e.Rule)).ToHashSet();
        Assert.Contains(("id", BacklogRules.IdFormat), rules);
        Assert.Contains(("sourceAgency", "required"), rules);
        Assert.Contains(("toYear", BacklogRules.Years), rules);
        Assert.Contains(("shelfMetres", BacklogRules.Negative), rules);
        Assert.Contains(("boxes", BacklogRules.Negative), rules);
        Assert.Contains(("bundles", BacklogRules.Negative), rules);
        Assert.Contains(("condition", BacklogRules.Condition), rules);
        Assert.Contains(("fondsCode", BacklogRules.FondsUnknown), rules); // another agency's fonds
        Assert.Empty(await backlog.ListAsync(new BacklogQuery(), null, Ct).ToListAsync(Ct));

        var unknown = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backlog.RegisterAsync(Batch() with { AgencyId = "000.00.00.X99", FondsCode = null }, null, ArchiveHarness.User, Ct));
        Assert.Equal(("agencyId", BacklogRules.AgencyUnknown), (unknown.Errors.Single().Field, unknown.Errors.Single().Rule));
    }

    [Fact]
    public async Task A_batch_is_registered_seen_and_changed_only_within_its_agency()
    {
        await using var h = await SeededAsync();
        var backlog = h.Services.GetRequiredService<BacklogService>();

        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await backlog.RegisterAsync(Batch(), OtherArchivist, ArchiveHarness.User, Ct));
        var stored = await backlog.RegisterAsync(Batch(), Archivist, ArchiveHarness.User, Ct);
        Assert.Equal((BacklogStatus.NotProcessed, 12.5m, 0m, 1), (stored.Value.Status, stored.Value.ShelfMetres, stored.Value.ProcessedMetres, stored.Version));
        Assert.Equal(ArchiveHarness.User.Name, stored.Value.RegisteredBy);

        Assert.Null(await backlog.GetAsync("BL-01", OtherArchivist, Ct));
        Assert.NotNull(await backlog.GetAsync("BL-01", Supervisor, Ct));
        Assert.Empty(await backlog.ListAsync(new BacklogQuery(), OtherArchivist, Ct).ToListAsync(Ct));
        Assert.Single(await backlog.ListAsync(new BacklogQuery { Status = BacklogStatus.NotProcessed }, Archivist, Ct).ToListAsync(Ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await backlog.ChangeStatusAsync("BL-01", new BacklogStatusInput { Status = BacklogStatus.InProgress }, null, OtherArchivist, ArchiveHarness.User, Ct));
        await Assert.ThrowsAsync<ArchiveAccessDeniedException>(async () => await backlog.ChangeStatusAsync("BL-01", new BacklogStatusInput { Status = BacklogStatus.InProgress }, null, Supervisor, ArchiveHarness.User, Ct));
        await Assert.ThrowsAsync<ArchiveConflictException>(async () => await backlog.RegisterAsync(Batch(), Archivist, ArchiveHarness.User, Ct));
    }

    [Fact]
    public async Task Status_moves_only_forward_with_progress_and_each_step_is_an_audited_version_naming_who()
    {
        await using var h = await SeededAsync();
        var backlog = h.Services.GetRequiredService<BacklogService>();
        await backlog.RegisterAsync(Batch(), Archivist, ArchiveHarness.User, Ct);
        var chief = new ArchiveUser("Trần Thị Chỉnh Lý");

        var started = await backlog.ChangeStatusAsync("BL-01", new BacklogStatusInput { Status = BacklogStatus.InProgress, ProcessedMetres = 2.5m, Note = "Bắt đầu chỉnh lý" }, 1, Archivist, chief, Ct);
        Assert.Equal((BacklogStatus.InProgress, 2.5m, 10m), (started.Value.Status, started.Value.ProcessedMetres, started.Value.RemainingMetres));
        Assert.NotNull(started.Value.StartedAt);

        foreach (var (input, field, rule) in new[]
        {
            (new BacklogStatusInput { Status = BacklogStatus.NotProcessed }, "status", BacklogRules.StatusBackward),
            (new BacklogStatusInput { Status = BacklogStatus.InProgress, ProcessedMetres = 2m }, "processedMetres", BacklogRules.ProcessedMetres),
            (new BacklogStatusInput { Status = BacklogStatus.InProgress, ProcessedMetres = 13m }, "processedMetres", BacklogRules.ProcessedMetres),
            (new BacklogStatusInput { Status = BacklogStatus.InProgress, ProcessedMetres = -1m }, "processedMetres", BacklogRules.Negative),
        })
        {
            var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backlog.ChangeStatusAsync("BL-01", input, null, Archivist, chief, Ct));
            Assert.Equal((field, rule), (ex.Errors[0].Field, ex.Errors[0].Rule));
        }

        Assert.Equal(2, (await backlog.GetAsync("BL-01", null, Ct))!.Version); // nothing changed by the refusals
        var progress = await backlog.ChangeStatusAsync("BL-01", new BacklogStatusInput { Status = BacklogStatus.InProgress, ProcessedMetres = 6m }, 2, Archivist, chief, Ct);
        Assert.Equal(6m, progress.Value.ProcessedMetres);
        var done = await backlog.ChangeStatusAsync("BL-01", new BacklogStatusInput { Status = BacklogStatus.Processed }, 3, Archivist, chief, Ct);
        Assert.Equal((BacklogStatus.Processed, 12.5m, 0m), (done.Value.Status, done.Value.ProcessedMetres, done.Value.RemainingMetres));
        Assert.Equal([BacklogStatus.InProgress, BacklogStatus.InProgress, BacklogStatus.Processed], done.Value.Steps.Select(s => s.Status));
        Assert.All(done.Value.Steps, s => Assert.Equal(chief.Name, s.By));
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () => await backlog.ChangeStatusAsync("BL-01", new BacklogStatusInput { Status = BacklogStatus.Processed, Note = "x" }, 2, Archivist, chief, Ct));

        var history = await backlog.GetHistoryAsync("BL-01", Archivist, Ct);
        Assert.Equal(4, history.Count);
        var audit = (await h.Services.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Action = AuditActions.Change, ObjectId = "BL-01", PageSize = 100 }, Ct)).Records;
        Assert.Equal(4, audit.Count);
        Assert.Equal([ArchiveHarness.User.Name, chief.Name, chief.Name, chief.Name], audit.Select(a => a.Event.Actor));
        Assert.Contains("InProgress -> Processed", audit[^1].Event.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Linked_files_must_exist_be_readable_be_the_agencys_and_belong_to_one_batch_only()
    {
        await using var h = await SeededAsync();
        var backlog = h.Services.GetRequiredService<BacklogService>();
        var u = ArchiveHarness.User;
        var open = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.CL"), u, Ct)).Stored.Value.FileCode;
        var secret = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.MAT") with { Rights = AccessLevel.Secret }, u, Ct)).Stored.Value.FileCode;
        var foreign = (await h.Files.CreateAsync(ArchiveHarness.FileInput("03.KHAC", fondsCode: OtherFonds), u, Ct)).Stored.Value.FileCode;
        await backlog.RegisterAsync(Batch(), Archivist, u, Ct);
        await backlog.RegisterAsync(Batch("BL-02"), Archivist, u, Ct);

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backlog.LinkFilesAsync("BL-01", [open, secret, "000.00.00.G09.2015.99.KHONG", foreign], null, Archivist, u, Ct));
        Assert.Equal(
            [("fileCodes[1]", "record-file.not-found"), ("fileCodes[2]", "record-file.not-found"), ("fileCodes[3]", "record-file.not-found")],
            ex.Errors.Select(e => (e.Field, e.Rule)));
        var foreignForOperator = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backlog.LinkFilesAsync("BL-01", [foreign], null, null, u, Ct));
        Assert.Equal(("fileCodes[0]", BacklogRules.FileOtherAgency), (foreignForOperator.Errors[0].Field, foreignForOperator.Errors[0].Rule));
        Assert.Equal(ex.Errors[0].Message.Replace(secret, "X", StringComparison.Ordinal), ex.Errors[1].Message.Replace("000.00.00.G09.2015.99.KHONG", "X", StringComparison.Ordinal)); // hidden = missing
        Assert.Empty((await backlog.GetAsync("BL-01", null, Ct))!.Value.FileCodes);

        var linked = await backlog.LinkFilesAsync("BL-01", [open, open], null, Archivist, u, Ct);
        Assert.Equal([open], linked.Value.FileCodes);
        Assert.Equal(linked.Version, (await backlog.LinkFilesAsync("BL-01", [open], null, Archivist, u, Ct)).Version); // already linked: no new version
        var twice = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await backlog.LinkFilesAsync("BL-02", [open], null, Archivist, u, Ct));
        Assert.Equal(("fileCodes[0]", BacklogRules.FileLinked), (twice.Errors[0].Field, twice.Errors[0].Rule));

        // The offline operator (and a cleared caller) may link the Secret file.
        var cleared = ArchiveCaller.Authenticated(u, [ArchiveRoles.Archivist], [ArchiveHarness.AgencyId], secretClearance: true);
        Assert.Equal([open, secret], (await backlog.LinkFilesAsync("BL-01", [secret], null, cleared, u, Ct)).Value.FileCodes);
    }

    [Fact]
    public async Task A_plan_task_may_point_at_a_registered_batch_only()
    {
        await using var h = ReorgFixture.Create();
        await h.SeedCommunesAsync();
        await h.RecordAndApplyAsync(ReorgFixture.Consolidation());
        var plan = await h.Plans().GenerateAsync("2025-NQ-1656", ArchiveHarness.User, Ct);
        var backlog = h.Services.GetRequiredService<BacklogService>();
        await backlog.RegisterAsync(new BacklogBatchInput { Id = "BL-A", AgencyId = ReorgFixture.C, SourceAgency = "Xã An Bình", FromYear = 2000, ToYear = 2010, ShelfMetres = 3m }, null, ArchiveHarness.User, Ct);
        var task = new PlanTaskInput { Kind = PlanTaskKind.ReviewAndWeed, AgencyId = ReorgFixture.A, Title = "Chỉnh lý khối tài liệu tồn đọng", LeadUnit = "Xã An Minh", BacklogBatchId = "BL-NONE" };

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Plans().AddTaskAsync("2025-NQ-1656", task, plan.Version, ArchiveHarness.User, Ct));
        Assert.Equal(("backlogBatchId", "plan.backlog-batch-unknown"), (ex.Errors.Single().Field, ex.Errors.Single().Rule));
        var added = await h.Plans().AddTaskAsync("2025-NQ-1656", task with { BacklogBatchId = "BL-A" }, plan.Version, ArchiveHarness.User, Ct);
        Assert.Equal("BL-A", added.Value.Tasks[^1].BacklogBatchId);
    }
}
