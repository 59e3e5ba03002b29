using Archive.Api.Security;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Records;
using Archive.Retention;
using Archive.Security;
using AccessRequestStatus = Archive.Api.Tests.Generated.AccessRequestStatus;
using Archive.Testing.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// Researchers' access requests end to end (issue #19 item 3), <b>only through the client NSwag generates from the served
/// OpenAPI document</b> against a real <c>Archive.Server</c> process: a conditional record file is findable in the
/// conditional catalogue (no text), closed without a grant; the researcher asks with a purpose; bad requests name their
/// field and rule; the archivist of another archives is refused; the holding archives' request is approved offline with
/// <c>access-request approve</c> while the server is stopped (state in the store, across the restart); the researcher
/// then reads metadata and content, audited with the grant id; revoked, the grant stops at once; a new request is
/// refused with a reason the researcher sees.
/// </summary>
public sealed class AccessRequestEndToEndTests : IAsyncLifetime
{
    private const string Agency = "000.00.00.H26";
    private const string OtherAgency = "000.00.00.H49";
    private const string Fonds = "P-LUUTRU-H26";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-access-" + Guid.NewGuid().ToString("N")[..8]);
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_researcher_asks_an_archivist_approves_the_researcher_reads_under_an_audited_grant_until_it_is_revoked()
    {
        var data = Path.Combine(_root, "data");
        var pdf = TestPdf.Create("Biên bản họp về phương án sáp nhập xã Hòa Bình", "Nội dung hạn chế khai thác: phố Hàng Mã");
        var (conditional, secret) = await SeedAsync(data, pdf);

        var keys = new Dictionary<string, string>();
        var environment = new Dictionary<string, string>();
        void Key(int n, string name, string roles, string? agency, bool clearance = false)
        {
            keys[name] = ApiKeyStore.NewKey();
            environment[$"Archive__Auth__ApiKeys__{n}__Name"] = name;
            environment[$"Archive__Auth__ApiKeys__{n}__KeyHash"] = ApiKeyStore.Hash(keys[name]);
            environment[$"Archive__Auth__ApiKeys__{n}__Roles"] = roles;
            if (agency is not null)
            {
                environment[$"Archive__Auth__ApiKeys__{n}__Agencies"] = agency;
            }

            if (clearance)
            {
                environment[$"Archive__Auth__ApiKeys__{n}__Clearance"] = "secret";
            }
        }

        Key(0, "quan-tri", ArchiveRoles.Administrator, null, clearance: true);
        Key(1, "luu-tru-vien", ArchiveRoles.Archivist, Agency);
        Key(2, "luu-tru-vien-khac", ArchiveRoles.Archivist, OtherAgency);
        Key(3, "doc-gia", ArchiveRoles.Researcher, null);
        environment["Archive__AccessRequests__MaxValidDays"] = "90";
        _server = await ServerProcess.StartAsync(data, environment, Ct);
        var admin = _server.Client(keys["quan-tri"], TimeSpan.FromMinutes(2));
        var archivist = _server.Client(keys["luu-tru-vien"], TimeSpan.FromMinutes(2));
        var other = _server.Client(keys["luu-tru-vien-khac"], TimeSpan.FromMinutes(2));
        var reader = _server.Client(keys["doc-gia"], TimeSpan.FromMinutes(2));

        // Without a grant: findable in the conditional catalogue by its description, marked Conditional, no text;
        // its content's words find nothing anywhere; reading it answers 404 as for any file out of scope.
        var catalogue = await reader.SearchConditionalCatalogueAsync("sáp nhập", null, null, Ct);
        var entry = Assert.Single(catalogue.Items);
        Assert.Equal((conditional, Generated.AccessLevel.Conditional, null), (entry.FileCode, entry.Access, entry.MyRequest));
        Assert.Empty((await reader.SearchConditionalCatalogueAsync("Hàng Mã", null, null, Ct)).Items);
        Assert.Empty((await reader.SearchConditionalCatalogueAsync("Tràng Tiền", null, null, Ct)).Items);
        var leak = await reader.SearchAsync("Hàng Mã", null, null, null, null, null, null, null, null, true, null, null, null, true, Ct);
        Assert.Equal(0, leak.Total);
        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.GetRecordFileAsync(conditional, Ct))).StatusCode);

        // Bad requests name the field and the rule; nothing is stored.
        var empty = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = conditional, Purpose = " " }, Ct));
        Assert.Equal((422, "purpose", "required"), (empty.StatusCode, empty.Result.Errors.Single().Field, empty.Result.Errors.Single().Rule));
        var tooLong = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = conditional, Purpose = new string('x', 2001) }, Ct));
        Assert.Equal((422, "purpose", "max-length"), (tooLong.StatusCode, tooLong.Result.Errors.Single().Field, tooLong.Result.Errors.Single().Rule));
        var notResearcher = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => archivist.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = conditional, Purpose = "Tra cứu" }, Ct));
        Assert.Equal((403, "role", "access-request.researcher-only"), (notResearcher.StatusCode, notResearcher.Result.Errors.Single().Field, notResearcher.Result.Errors.Single().Rule));
        var hidden = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = secret, Purpose = "Nghiên cứu" }, Ct));
        var unknownCode = Agency + ".2019.99.XX";
        var unknown = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = unknownCode, Purpose = "Nghiên cứu" }, Ct));
        Assert.Equal((unknown.StatusCode, unknown.Result.Title, unknown.Result.Detail!.Replace(unknownCode, "X", StringComparison.Ordinal)),
            (hidden.StatusCode, hidden.Result.Title, hidden.Result.Detail!.Replace(secret, "X", StringComparison.Ordinal)));
        Assert.Equal(404, hidden.StatusCode);
        Assert.Empty((await reader.ListMyAccessRequestsAsync(null, null, null, Ct)).Items);

        // The request; the holding archives sees it waiting, another archives neither sees nor decides it.
        var request = await reader.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = conditional, Purpose = "Nghiên cứu lịch sử sắp xếp đơn vị hành chính cấp xã" }, Ct);
        Assert.Equal(AccessRequestStatus.Pending, request.Status);
        Assert.Equal(AccessRequestStatus.Pending, Assert.Single((await reader.SearchConditionalCatalogueAsync("sáp nhập", null, null, Ct)).Items).MyRequest!.Status);
        Assert.Equal(request.Id, Assert.Single((await archivist.ListAccessRequestsAsync("Pending", null, null, null, null, Ct)).Items).Id);
        Assert.Empty((await other.ListAccessRequestsAsync("Pending", null, null, null, null, Ct)).Items);
        var foreign = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => other.ApproveAccessRequestAsync(request.Id, null, new ApproveAccessRequestRequest { ValidDays = 10 }, Ct));
        Assert.Equal((403, "fondsCode", "scope.agency"), (foreign.StatusCode, foreign.Result.Errors.Single().Field, foreign.Result.Errors.Single().Rule));
        var tooMany = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => archivist.ApproveAccessRequestAsync(request.Id, null, new ApproveAccessRequestRequest { ValidDays = 91 }, Ct));
        Assert.Equal((422, "validDays", "access-request.validity"), (tooMany.StatusCode, tooMany.Result.Errors.Single().Field, tooMany.Result.Errors.Single().Rule));
        Assert.Equal((AccessRequestStatus.Pending, 1), ((await reader.GetAccessRequestAsync(request.Id, Ct)).Status, (await reader.GetAccessRequestAsync(request.Id, Ct)).Version));

        // Offline, the server stopped: the archivist lists and approves with the command line.
        await _server.DisposeAsync();
        _server = null;
        var list = await ServerProcess.RunCliAsync(data, ["access-request", "list", "--status", "Pending"], Ct);
        Assert.True(list.ExitCode == 0, list.Output + list.Errors);
        Assert.Contains(request.Id + "\tPending\t" + conditional, list.Output, StringComparison.Ordinal);
        var badDays = await ServerProcess.RunCliAsync(data, ["access-request", "approve", "--request", request.Id, "--days", "365"], Ct);
        Assert.True(badDays.ExitCode == 3, badDays.Output + badDays.Errors);
        Assert.Contains("--days", badDays.Errors, StringComparison.Ordinal);
        Assert.Contains("access-request.validity", badDays.Errors, StringComparison.Ordinal);
        var approve = await ServerProcess.RunCliAsync(data, ["access-request", "approve", "--request", request.Id, "--days", "30", "--user", "Lê Thị Lưu Trữ"], Ct);
        Assert.True(approve.ExitCode == 0, approve.Output + approve.Errors);
        var twice = await ServerProcess.RunCliAsync(data, ["access-request", "approve", "--request", request.Id], Ct);
        Assert.True(twice.ExitCode == 3, twice.Output + twice.Errors);
        Assert.Contains("access-request.not-pending", twice.Errors, StringComparison.Ordinal);

        _server = await ServerProcess.StartAsync(data, environment, Ct);
        reader = _server.Client(keys["doc-gia"], TimeSpan.FromMinutes(2));
        archivist = _server.Client(keys["luu-tru-vien"], TimeSpan.FromMinutes(2));
        admin = _server.Client(keys["quan-tri"], TimeSpan.FromMinutes(2));

        // Under the grant: metadata and content, each read audited with the grant id.
        var mine = Assert.Single((await reader.ListMyAccessRequestsAsync(null, null, null, Ct)).Items);
        Assert.Equal(AccessRequestStatus.Approved, mine.Status);
        Assert.InRange(mine.ValidUntil!.Value, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));
        var grant = mine.GrantId!;
        Assert.Equal(conditional, (await reader.GetRecordFileAsync(conditional, Ct)).FileCode);
        using (var download = await reader.DownloadContentAsync(conditional, 1, "bien-ban.pdf", null, null, null, null, Ct))
        {
            using var copy = new MemoryStream();
            await download.Stream.CopyToAsync(copy, Ct);
            Assert.Equal(pdf, copy.ToArray());
        }

        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.GetRecordFileAsync(secret, Ct))).StatusCode);
        var reads = await admin.QueryAuditRecordsAsync(null, null, "doc-gia", null, null, null, null, null, null, null, null, Ct);
        Assert.Contains(reads.Items, r => r.Action == "recordfile.read" && r.ObjectId == conditional && r.Detail?.Contains(grant, StringComparison.Ordinal) == true);
        Assert.Contains(reads.Items, r => r.Action == "content.read" && r.ObjectId!.StartsWith(conditional + "/1/", StringComparison.Ordinal) && r.Detail?.Contains(grant, StringComparison.Ordinal) == true);
        var changes = await admin.QueryAuditRecordsAsync(null, null, null, null, "change", "access-requests", request.Id, null, null, null, null, Ct);
        Assert.Contains(changes.Items, r => r.Detail?.Contains("approved, grant " + grant, StringComparison.Ordinal) == true && r.Actor == "Lê Thị Lưu Trữ");

        // Revoked: reads stop at once; a new request is refused with a reason the researcher sees.
        var emptyReason = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => archivist.RevokeAccessRequestAsync(request.Id, null, new AccessRequestReasonRequest { Reason = "" }, Ct));
        Assert.Equal((422, "reason", "required"), (emptyReason.StatusCode, emptyReason.Result.Errors.Single().Field, emptyReason.Result.Errors.Single().Rule));
        var revoked = await archivist.RevokeAccessRequestAsync(request.Id, null, new AccessRequestReasonRequest { Reason = "Sử dụng sai mục đích đã đăng ký" }, Ct);
        Assert.Equal(AccessRequestStatus.Revoked, revoked.Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.GetRecordFileAsync(conditional, Ct))).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => reader.DownloadContentAsync(conditional, 1, "bien-ban.pdf", null, null, null, null, Ct))).StatusCode);

        var again = await reader.CreateAccessRequestAsync(new CreateAccessRequestRequest { FileCode = conditional, Purpose = "Bổ sung tư liệu cho luận văn" }, Ct);
        Assert.Equal((request.Id, AccessRequestStatus.Pending), (again.Id, again.Status));
        await archivist.RefuseAccessRequestAsync(again.Id, null, new AccessRequestReasonRequest { Reason = "Hồ sơ đang được chỉnh lý, đề nghị quay lại sau" }, Ct);
        var refused = Assert.Single((await reader.ListMyAccessRequestsAsync("Refused", null, null, Ct)).Items);
        Assert.Equal("Hồ sơ đang được chỉnh lý, đề nghị quay lại sau", refused.Reason);

        // Offline usage errors and refusals name the option and the rule; the list shows the refusal's reason.
        await _server.DisposeAsync();
        _server = null;
        var noReason = await ServerProcess.RunCliAsync(data, ["access-request", "refuse", "--request", request.Id], Ct);
        Assert.True(noReason.ExitCode == 2 && noReason.Errors.Contains("--reason", StringComparison.Ordinal), noReason.Output + noReason.Errors);
        var badStatus = await ServerProcess.RunCliAsync(data, ["access-request", "list", "--status", "Granted"], Ct);
        Assert.True(badStatus.ExitCode == 2 && badStatus.Errors.Contains("--status", StringComparison.Ordinal), badStatus.Output + badStatus.Errors);
        var revokeRefused = await ServerProcess.RunCliAsync(data, ["access-request", "revoke", "--request", request.Id, "--reason", "Thu hồi"], Ct);
        Assert.True(revokeRefused.ExitCode == 3 && revokeRefused.Errors.Contains("access-request.not-granted", StringComparison.Ordinal), revokeRefused.Output + revokeRefused.Errors);
        var refusedList = await ServerProcess.RunCliAsync(data, ["access-request", "list", "--status", "Refused"], Ct);
        Assert.Contains(request.Id + "\tRefused\t" + conditional, refusedList.Output, StringComparison.Ordinal);
        Assert.Contains("Hồ sơ đang được chỉnh lý", refusedList.Output, StringComparison.Ordinal);
    }

    /// <summary>A conditional and a secret accessioned record file of the holding archives (<see cref="Agency"/>), seeded through the engine.</summary>
    private static async Task<(string Conditional, string Secret)> SeedAsync(string data, byte[] pdf)
    {
        var user = new ArchiveUser("Phạm Thu Hà");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddArchive(o => o.DataPath = data).AddEmbeddedDefaults();
        await using var sp = services.BuildServiceProvider();
        await sp.GetRequiredService<AgencyRegistry>().CreateAsync(new Agency { Id = Agency, Name = "Ủy ban nhân dân tỉnh Hà Tĩnh" }, user, Ct);
        await sp.GetRequiredService<AgencyRegistry>().CreateAsync(new Agency { Id = OtherAgency, Name = "Sở Nội vụ tỉnh Hà Tĩnh" }, user, Ct);
        await sp.GetRequiredService<FondsRegistry>().CreateAsync(new FondsInput { Code = Fonds, Name = "Phông UBND tỉnh", AgencyId = Agency }, user, Ct);
        var files = sp.GetRequiredService<RecordFileService>();
        async Task<string> File(string notation, string title, Archive.AccessLevel rights, string subject, byte[]? content)
        {
            var code = (await files.CreateAsync(new RecordFileInput
            {
                FondsCode = Fonds,
                FileCatalog = 2019,
                FileNotation = notation,
                Title = title,
                Maintenance = RetentionPeriod.Permanent,
                Rights = rights,
                StartDate = new DateOnly(2019, 2, 1),
                EndDate = new DateOnly(2019, 11, 30),
            }, user, Ct)).Stored.Value.FileCode;
            await files.AddDocumentAsync(code, new DocumentInput { TypeName = "Biên bản", CodeNumber = "12", CodeNotation = "BB-UBND", IssuedDate = new DateOnly(2019, 3, 4), OrganName = "UBND tỉnh", Subject = subject }, null, user, Ct);
            if (content is not null)
            {
                await files.AddContentAsync(code, 1, new ContentUpload { FileName = "bien-ban.pdf", Content = new MemoryStream(content) }, null, user, Ct);
            }

            await files.MarkAccessionedAsync(code, new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), "BB 01/2025", null, user, Ct);
            return code;
        }

        var conditional = await File("01.VP", "Hồ sơ về phương án sáp nhập đơn vị hành chính cấp xã năm 2019", Archive.AccessLevel.Conditional, "Biên bản họp phố Hàng Mã", pdf);
        var secret = await File("02.MAT", "Hồ sơ mật Tràng Tiền", Archive.AccessLevel.Secret, "Biên bản mật Tràng Tiền", null);
        return (conditional, secret);
    }
}
