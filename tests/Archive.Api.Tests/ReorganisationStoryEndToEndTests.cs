using System.Diagnostics;
using System.Formats.Tar;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Archive.Api.Tests.Generated;
using Archive.Api.Tests.Support;
using Archive.Testing.Support;
using Xunit;


namespace Archive.Api.Tests;

/// <summary>
/// The reorganisation story end to end, driven <b>only through the client NSwag generates from the served OpenAPI
/// document</b> (<c>Generated/ArchiveClient.g.cs</c>, kept current by <see cref="GeneratedArchiveClientTests"/>) against
/// two real <c>Archive.Server</c> processes on loopback, each with its own data folder and API keys made with the
/// server's own <c>apikey create</c> verb: the agencies' host (sealing with a certificate issued by a test CA, trusting
/// that CA) and the Historical Archives' host (trusting the same CA).
/// Two communes merge → plan with tasks → a fixed-term file is weeded, one file is unfinished → the event is applied,
/// the fonds closed → the handing commune exports the sealed handover → a tampered copy is rejected with a report
/// naming the broken file and nothing changes → the successor receives and accepts the sound copy → transfer of a
/// permanent Public and a permanent Secret file → accession at the Historical Archives → the completed transfer record
/// is recorded back → the reading room, searching without diacritics, finds the Public file's page and never the
/// Secret one.
/// </summary>
public sealed class ReorganisationStoryEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-story-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ServerProcess> _servers = [];
    private readonly List<HttpClient> _http = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var http in _http)
        {
            http.Dispose();
        }

        foreach (var server in _servers)
        {
            await server.DisposeAsync();
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
    public async Task Merger_handover_receipt_transfer_accession_and_reading_room_over_two_servers()
    {
        try
        {
            await StoryAsync();
        }
        catch (ArchiveApiException<ProblemDetails> ex)
        {
            // The generated exception keeps the problem, not its text: say what the server said.
            throw new InvalidOperationException($"HTTP {ex.StatusCode} {ex.Result.Title}: {ex.Result.Detail} {System.Text.Json.JsonSerializer.Serialize(ex.Result.AdditionalProperties)}\n" + string.Join("\n", _servers.Select(s => s.Log)), ex);
        }
    }

    private async Task StoryAsync()
    {
        // Seal certificates: a test CA (the trust list of both hosts) issues the agencies' seal certificate.
        var (caPath, sealPfx, sealSubject) = CreateCertificates(_root);
        var a1 = "000.00.71.H26";
        var a2 = "000.00.72.H26";
        var c = "000.00.73.H26";
        var ha = "000.00.90.H26";

        var agenciesData = Path.Combine(_root, "agencies");
        var archivesData = Path.Combine(_root, "archives");
        var adminKey = await CreateKeyAsync(agenciesData, "quan-tri", "administrator", null, secret: true);
        var handingKey = await CreateKeyAsync(agenciesData, "van-thu-tan-lap", "archivist", a1, secret: false);
        var otherKey = await CreateKeyAsync(agenciesData, "van-thu-tan-tien", "archivist", a2, secret: false);
        var successorKey = await CreateKeyAsync(agenciesData, "luu-tru-tan-hoa", "archivist", c, secret: true);
        var archivesAdminKey = await CreateKeyAsync(archivesData, "quan-tri-lltl", "administrator", null, secret: true);
        var archivesKey = await CreateKeyAsync(archivesData, "thu-thap-lltl", "historical-archives", ha, secret: true);

        var agencies = await StartAsync(agenciesData, new()
        {
            ["Archive__Exchange__Seal__CertificatePath"] = sealPfx,
            ["Archive__Exchange__Seal__CertificatePassword"] = "mat-khau-niem-phong",
            ["Archive__Exchange__Seal__TrustedCertificates__0"] = caPath,
        });
        var archives = await StartAsync(archivesData, new() { ["Archive__Exchange__Seal__TrustedCertificates__0"] = caPath });

        var admin = Client(agencies, adminKey);
        var handing = Client(agencies, handingKey);
        var other = Client(agencies, otherKey);
        var successor = Client(agencies, successorKey);

        // Two communes and their successor; the Historical Archives is known to both hosts.
        foreach (var (id, name) in new[] { (a1, "Ủy ban nhân dân xã Tân Lập"), (a2, "Ủy ban nhân dân xã Tân Tiến"), (c, "Ủy ban nhân dân xã Tân Hòa"), (ha, "Lưu trữ lịch sử tỉnh Bắc Ninh") })
        {
            await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = id, Name = name }, Ct);
        }

        await Client(archives, archivesAdminKey).CreateAgencyAsync(new CreateAgencyRequest { Id = ha, Name = "Lưu trữ lịch sử tỉnh Bắc Ninh" }, Ct);
        var fonds = "P-TANLAP";
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = fonds, Name = "Phông UBND xã Tân Lập", AgencyId = a1, Language = "vi" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = "P-TANTIEN", Name = "Phông UBND xã Tân Tiến", AgencyId = a2, Language = "vi" }, Ct);

        // Record files of Tân Lập: a permanent Public one and a permanent Secret one with PDFs, a fixed-term one to weed, an unfinished one.
        var publicFile = await FileAsync(handing, fonds, "01.QH", "Hồ sơ quy hoạch sử dụng đất xã Tân Lập", "permanent", Generated.AccessLevel.Public, RecordFileStatus.Finished,
            TestPdf.Create("Quyết định phê duyệt quy hoạch sử dụng đất xã Tân Lập giai đoạn 2021-2030", "Bản đồ quy hoạch do bà Lường Thị Mỷ lập"));
        var secretFile = await FileAsync(admin, fonds, "02.MAT", "Hồ sơ phương án phòng thủ dân sự", "permanent", Generated.AccessLevel.Secret, RecordFileStatus.Finished,
            TestPdf.Create("Phương án phòng thủ dân sự khu vực biên giới Tân Lập", "Vị trí kho vũ khí dự trữ Thạch Bàn"));
        var weeded = await FileAsync(handing, fonds, "03.VP", "Sổ theo dõi công văn đến", "5y", Generated.AccessLevel.Public, RecordFileStatus.Finished, null);
        var unfinished = await FileAsync(handing, fonds, "04.DC", "Hồ sơ giải quyết tranh chấp đất đai thôn Đông", "permanent", Generated.AccessLevel.Public, RecordFileStatus.Unfinished, null);
        await handing.MarkNonArchivalAsync(weeded, "searchable", null, null, new MarkNonArchivalRequest { Kind = NonArchivalKind.ReferenceCopy, Reason = "Bản sao để tham khảo, bản chính lưu tại Văn phòng" }, Ct);

        // The catalogue on demand (mục lục hồ sơ, read from storage): the handing clerk, without clearance, gets the
        // finished files it may read — not the Secret one, not the weeded or the unfinished one; the administrator
        // (cleared) gets both permanent files, as XLSX; a format the server does not print is refused naming the field.
        using (var csv = await handing.GetFondsCatalogueAsync(fonds, null, null, "csv", null, null, Ct))
        {
            var text = await new StreamReader(csv.Stream).ReadToEndAsync(Ct);
            Assert.Contains("01.QH", text, StringComparison.Ordinal);
            Assert.DoesNotContain("02.MAT", text, StringComparison.Ordinal);
            Assert.DoesNotContain("03.VP", text, StringComparison.Ordinal);
            Assert.DoesNotContain("04.DC", text, StringComparison.Ordinal);
            Assert.Equal("1", csv.Headers["Archive-Catalogue-Files"].Single());
        }

        using (var xlsx = await admin.GetFondsCatalogueAsync(fonds, "Finished", 2015, null, null, null, Ct))
        {
            using var zip = new System.IO.Compression.ZipArchive(xlsx.Stream, System.IO.Compression.ZipArchiveMode.Read);
            var sheet = await new StreamReader(await zip.GetEntry("xl/worksheets/sheet1.xml")!.OpenAsync(Ct)).ReadToEndAsync(Ct);
            Assert.Contains("01.QH", sheet, StringComparison.Ordinal);
            Assert.Contains("02.MAT", sheet, StringComparison.Ordinal);
            Assert.Equal("2", xlsx.Headers["Archive-Catalogue-Files"].Single());
        }

        var badFormat = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(() => handing.GetFondsCatalogueAsync(fonds, null, null, "pdf", null, null, Ct));
        Assert.Equal(400, badFormat.StatusCode);
        Assert.Contains(badFormat.Result.Errors, e => e is { Field: "format", Rule: "catalogue.format" });

        // The merger: recorded, planned (tasks per agency), applied (fonds closed, custody to the successor).
        var eventId = "NQ-1656-2025";
        await admin.RecordReorganisationAsync(new RecordReorganisationRequest
        {
            Id = eventId,
            Kind = ReorganisationKind.Consolidation,
            DecisionNumber = "1656/NQ-UBTVQH15",
            DecisionDate = new DateOnly(2025, 6, 16),
            DecisionAuthority = "Ủy ban Thường vụ Quốc hội",
            EffectiveDate = new DateOnly(2025, 7, 1),
            Affected = [new AffectedAgencyDto { AgencyId = a1, SuccessorAgencyId = c }, new AffectedAgencyDto { AgencyId = a2, SuccessorAgencyId = c }],
        }, Ct);
        var plan = await admin.GeneratePlanAsync(eventId, Ct);
        Assert.Contains(plan.Tasks, t => t.AgencyId == a1 && t.Kind == PlanTaskKind.Handover);
        await admin.ApplyReorganisationAsync(eventId, new ApplyReorganisationRequest { AsOf = new DateOnly(2025, 7, 2) }, Ct);
        var closed = await admin.GetFondsAsync(fonds, Ct);
        Assert.Equal(FondsStatus.Closed, closed.Status);
        Assert.Equal(c, closed.CustodianAgencyId);

        // Handover export by the handing commune, sealed; another commune's user does not see it.
        var export = await handing.StartHandoverAsync(new StartHandoverRequest { FondsCode = fonds, EventId = eventId }, Ct);
        Assert.Equal(c, export.ToAgencyId);
        await AssertStatusAsync(404, () => other.GetHandoverAsync(export.Id, Ct));
        export = await UntilAsync(() => handing.GetHandoverAsync(export.Id, Ct), "completed");
        Assert.True(export.Sealed, export.SealNote);
        Assert.Equal([publicFile, secretFile, unfinished], export.FileCodes.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(weeded, export.FileCodes);
        Assert.Contains("bien-ban-giao-nhan.docx", export.Documents);
        Assert.Contains("muc-luc-ho-so.xlsx", export.Documents);
        Assert.Contains("ho-so-chua-giai-quyet-xong.docx", export.Documents);

        // The package holds a Secret file: the handing clerk without clearance may take neither it nor its catalogue
        // (which lists the file's title); the successor's archivist, cleared, may.
        await AssertStatusAsync(403, () => handing.DownloadHandoverPackageAsync(export.Id, null, null, null, Ct));
        await AssertStatusAsync(403, () => handing.DownloadHandoverDocumentAsync(export.Id, "muc-luc-ho-so.xlsx", Ct));
        var record = await BytesAsync(await successor.DownloadHandoverDocumentAsync(export.Id, "bien-ban-giao-nhan.docx", Ct));
        Assert.Equal("PK"u8.ToArray(), record[..2]);
        var package = await BytesAsync(await successor.DownloadHandoverPackageAsync(export.Id, null, null, null, Ct));
        Assert.Equal(export.PackageSha256, Convert.ToHexStringLower(SHA256.HashData(package)));
        var seal = new SignedCms();
        seal.Decode(await BytesAsync(await successor.DownloadHandoverSealAsync(export.Id, Ct)));
        seal.CheckSignature(verifySignatureOnly: true);
        Assert.Equal($"{export.PackageSha256}  {export.PackageName}\n", Encoding.UTF8.GetString(seal.ContentInfo.Content));
        Assert.Equal(sealSubject, seal.SignerInfos[0].Certificate!.Subject);

        // A copy damaged on the way (one byte of the Public file's PDF) is rejected, naming the file; nothing changes.
        var (tampered, brokenPath) = FlipByteInPdf(package, publicFile);
        var fondsBefore = await admin.GetFondsAsync(fonds, Ct);
        var bad = await ReceiveAsync(successor, c, tampered, "rejected");
        Assert.Contains(bad.Problems, p => p.Kind == "checksumMismatch" && p.Path is { } path && brokenPath.EndsWith(path, StringComparison.Ordinal));
        Assert.Equal(fondsBefore.Version, (await admin.GetFondsAsync(fonds, Ct)).Version);
        await AssertStatusAsync(409, () => successor.AcceptHandoverReceiptAsync(bad.Id, new AcceptPackageRequest(), Ct));
        var declined = await successor.DeclineHandoverReceiptAsync(bad.Id, new DeclinePackageRequest { Reason = "Gói tin hỏng khi sao chép; đề nghị bàn giao lại" }, Ct);
        Assert.Equal("declined", declined.State);

        // The sound copy: verified against the trust list (the CA), accepted; the fonds is the successor's.
        var receipt = await ReceiveAsync(successor, c, package, "verified");
        Assert.Equal(sealSubject, receipt.Signer);
        Assert.Equal(a1, receipt.FromAgencyId);
        Assert.Equal([publicFile, secretFile, unfinished], receipt.FileCodes.Order(StringComparer.Ordinal)); // what the catalogue lists, before accepting
        await successor.AcceptHandoverReceiptAsync(receipt.Id, new AcceptPackageRequest(), Ct);
        receipt = await UntilAsync(() => successor.GetHandoverReceiptAsync(receipt.Id, Ct), "accepted");
        Assert.Equal(c, (await admin.GetFondsAsync(fonds, Ct)).CustodianAgencyId);

        // Transfer of the permanent files (one Public, one Secret) to the Historical Archives.
        var transfer = await successor.StartTransferAsync(new StartTransferRequest
        {
            SubmittingAgencyId = c,
            ArchivesAgencyId = ha,
            FileCodes = [publicFile, secretFile],
            LegalBasis = "Kế hoạch số 12/KH-UBND ngày 01/08/2025 về nộp lưu hồ sơ, tài liệu",
        }, Ct);
        transfer = await UntilAsync(() => successor.GetTransferAsync(transfer.Id, Ct), "completed");
        Assert.True(transfer.Sealed);
        var sip = await BytesAsync(await successor.DownloadTransferPackageAsync(transfer.Id, null, null, null, Ct));
        Assert.Equal(transfer.PackageSha256, Convert.ToHexStringLower(SHA256.HashData(sip)));

        // Accession at the Historical Archives' own server.
        var lltl = Client(archives, archivesKey);
        var accession = await lltl.OpenAccessionAsync(new OpenReceiptRequest { AgencyId = ha, Length = sip.Length, Sha256 = transfer.PackageSha256 }, Ct);
        await lltl.UploadAccessionPackageAsync(accession.Id, new FileParameter(new MemoryStream(sip), transfer.PackageName, "application/x-tar"), Ct);
        accession = await UntilAsync(() => lltl.GetAccessionAsync(accession.Id, Ct), "verified");
        Assert.Equal(sealSubject, accession.Signer);
        await lltl.AcceptAccessionAsync(accession.Id, new AcceptPackageRequest { Reference = "15/BB-LTLS", Representative = "Trần Thị Bình" }, Ct);
        accession = await UntilAsync(() => lltl.GetAccessionAsync(accession.Id, Ct), "accepted");
        Assert.Equal([publicFile, secretFile], accession.FileCodes.Order(StringComparer.Ordinal));
        Assert.Equal("15/BB-LTLS", accession.TransferRecord!.Reference);
        Assert.True(accession.TransferRecord.Verified);
        Assert.Contains(accession.Documents, d => d.EndsWith(".docx", StringComparison.Ordinal));
        var confirmation = await BytesAsync(await lltl.DownloadAccessionDocumentAsync(accession.Id, accession.Documents.First(d => d.EndsWith(".docx", StringComparison.Ordinal)), Ct));
        Assert.Equal("PK"u8.ToArray(), confirmation[..2]);

        // The submitting agency records the completed transfer record back: its copies are marked transferred.
        var confirmed = await successor.ConfirmTransferAsync(transfer.Id, accession.TransferRecord, Ct);
        Assert.Equal([publicFile, secretFile], confirmed.Confirmed.Order(StringComparer.Ordinal));
        Assert.NotNull((await admin.GetRecordFileAsync(publicFile, Ct)).AccessionedAt);

        // The reading room of the Historical Archives (anonymous researcher), typed without diacritics.
        var reader = Client(archives, null);
        var found = await reader.SearchAsync("quy hoach su dung dat tan lap", null, null, null, null, null, null, null, null, true, null, null, null, true, Ct);
        Assert.Contains(found.Hits, h => h.FileCode == publicFile && h.Kind == SearchDocumentKind.Document);
        Assert.Contains(found.Hits, h => h.FileCode == publicFile && h.Highlights.Count > 0);
        Assert.DoesNotContain(found.Hits, h => h.FileCode == secretFile);
        var secretSearch = await reader.SearchAsync("kho vu khi thach", null, null, null, null, null, null, null, null, null, null, null, null, true, Ct);
        Assert.Equal(0, secretSearch.Total);
        Assert.Empty(secretSearch.Hits);

        // Not because the text is missing: the Historical Archives' cleared staff find the Secret file with the same words.
        var staffSearch = await lltl.SearchAsync("kho vu khi thach", null, null, null, null, null, null, null, null, null, null, null, null, true, Ct);
        Assert.Contains(staffSearch.Hits, h => h.FileCode == secretFile);
    }

    /// <summary>
    /// A server killed (SIGKILL) in the middle of an export and in the middle of an upload: restarted on the same data
    /// folder, the export resumes and completes with a sound package, and the upload continues from the bytes on disk.
    /// </summary>
    [Fact]
    public async Task Export_and_upload_resume_after_the_server_is_killed()
    {
        var data = Path.Combine(_root, "killed");
        var key = await CreateKeyAsync(data, "quan-tri", "administrator", null, secret: true);
        var server = await StartAsync(data, []);
        var admin = Client(server, key);
        const string a = "000.00.81.H26", c = "000.00.83.H26";
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = a, Name = "Ủy ban nhân dân xã Phù Chẩn" }, Ct);
        await admin.CreateAgencyAsync(new CreateAgencyRequest { Id = c, Name = "Ủy ban nhân dân phường Từ Sơn" }, Ct);
        await admin.CreateFondsAsync(new CreateFondsRequest { Code = "P-PHUCHAN", Name = "Phông UBND xã Phù Chẩn", AgencyId = a, Language = "vi" }, Ct);
        var files = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            var file = await FileAsync(admin, "P-PHUCHAN", $"0{i}.VP", $"Hồ sơ số hóa tập {i}", "permanent", Generated.AccessLevel.Public, RecordFileStatus.Finished, null);
            await admin.AddDocumentAsync(file, "searchable", null, null, new DocumentRequest { TypeName = "Bản đồ", Subject = "Bản đồ địa chính số hóa", Language = "vi" }, Ct);
            var scan = new byte[50 << 20];
            new Random(i).NextBytes(scan);
            "II*\0"u8.CopyTo(scan); // a TIFF signature: the server takes the media type from the content
            await admin.UploadContentAsync(file, 1, "ban-do.tif", null, "searchable", null, null, new FileParameter(new MemoryStream(scan), "ban-do.tif", "image/tiff"), Ct);
            files.Add(file);
        }

        // Kill during the export.
        var export = await admin.StartHandoverAsync(new StartHandoverRequest { FondsCode = "P-PHUCHAN", ReceivingAgencyId = c }, Ct);
        var seen = false;
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < JobTimeout && !seen;)
        {
            var job = await admin.GetHandoverAsync(export.Id, Ct);
            Assert.NotEqual("completed", job.State); // too fast to interrupt: the test would prove nothing
            seen = job.State == "running" && job.BytesDone > 0;
            await Task.Delay(150, Ct);
        }

        Assert.True(seen, "the export never reported progress");
        await server.KillAsync();
        server = await StartAsync(data, []);
        admin = Client(server, key);
        export = await UntilAsync(() => admin.GetHandoverAsync(export.Id, Ct), "completed");
        Assert.Equal(files, export.FileCodes.Order(StringComparer.Ordinal));
        var package = await BytesAsync(await admin.DownloadHandoverPackageAsync(export.Id, null, null, null, Ct));
        Assert.Equal(export.PackageSha256, Convert.ToHexStringLower(SHA256.HashData(package)));

        // Kill during the upload of that package: the bytes received before the kill are kept, the rest follows.
        var receipt = await admin.OpenHandoverReceiptAsync(new OpenReceiptRequest { AgencyId = c, Length = package.Length, Sha256 = export.PackageSha256 }, Ct);
        var upload = admin.UploadHandoverReceiptPackageAsync(receipt.Id, new FileParameter(new SlowStream(package, package.Length / 2), "package.tar", "application/x-tar"), Ct);
        for (var watch = Stopwatch.StartNew(); (await admin.GetHandoverReceiptAsync(receipt.Id, Ct)).BytesDone == 0; await Task.Delay(150, Ct))
        {
            Assert.True(watch.Elapsed < JobTimeout, "no byte of the upload arrived");
        }

        await Task.Delay(300, Ct);
        await server.KillAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => upload);
        server = await StartAsync(data, []);
        admin = Client(server, key);
        var resumed = await admin.GetHandoverReceiptAsync(receipt.Id, Ct);
        Assert.Equal("uploading", resumed.State);
        Assert.InRange(resumed.BytesDone, 1, package.Length - 1); // some, not all: the rest trickled in after half
        using (var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) })
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            var content = new ByteArrayContent(package, (int)resumed.BytesDone, package.Length - (int)resumed.BytesDone);
            content.Headers.ContentRange = new System.Net.Http.Headers.ContentRangeHeaderValue(resumed.BytesDone, package.Length - 1, package.Length);
            using var response = await http.PutAsync($"/api/handover-receipts/{receipt.Id}/package", content, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var verified = await UntilAsync(() => admin.GetHandoverReceiptAsync(receipt.Id, Ct), "verified");
        Assert.Equal(package.Length, verified.PackageLength);
        Assert.Equal(export.PackageSha256, verified.PackageSha256);
        Assert.Empty(verified.Problems);
    }

    /// <summary>Serves <paramref name="fast"/> bytes quickly, then trickles (so a server can be killed mid-upload).</summary>
    private sealed class SlowStream(byte[] data, long fast) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= fast)
            {
                await Task.Delay(50, cancellationToken);
            }

            var n = (int)Math.Min(Math.Min(buffer.Length, 1 << 16), data.Length - _position);
            data.AsMemory((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private async Task<string> FileAsync(ArchiveClient client, string fonds, string notation, string title, string maintenance, Generated.AccessLevel rights, RecordFileStatus status, byte[]? pdf)
    {
        var file = await client.CreateRecordFileAsync("searchable", null, new RecordFileRequest
        {
            FondsCode = fonds,
            FileCatalog = 2015,
            FileNotation = notation,
            Title = title,
            Maintenance = maintenance,
            Rights = rights,
            Language = "vi",
            StartDate = new DateOnly(2015, 1, 5),
            EndDate = new DateOnly(2015, 12, 20),
            Status = status,
            Keywords = [],
            UnfinishedNote = status == RecordFileStatus.Unfinished ? "Chờ kết quả hòa giải của Tòa án nhân dân huyện" : null,
        }, Ct);
        if (pdf is not null)
        {
            await client.AddDocumentAsync(file.FileCode, "searchable", null, null, new DocumentRequest { TypeName = "Quyết định", CodeNumber = "05", CodeNotation = "QĐ-UBND", IssuedDate = new DateOnly(2015, 3, 2), OrganName = "UBND xã Tân Lập", Subject = title, Language = "vi", PageAmount = 1 }, Ct);
            await client.UploadContentAsync(file.FileCode, 1, "quyet-dinh.pdf", Convert.ToHexStringLower(SHA256.HashData(pdf)), "searchable", null, null, new FileParameter(new MemoryStream(pdf), "quyet-dinh.pdf", "application/pdf"), Ct);
        }

        return file.FileCode;
    }

    private static async Task<PackageJobDto> ReceiveAsync(ArchiveClient client, string agency, byte[] package, string state)
    {
        var job = await client.OpenHandoverReceiptAsync(new OpenReceiptRequest { AgencyId = agency, Length = package.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(package)) }, Ct);
        Assert.Equal("uploading", job.State);
        await client.UploadHandoverReceiptPackageAsync(job.Id, new FileParameter(new MemoryStream(package), "package.tar", "application/x-tar"), Ct);
        return await UntilAsync(() => client.GetHandoverReceiptAsync(job.Id, Ct), state);
    }

    private static async Task<PackageJobDto> UntilAsync(Func<Task<PackageJobDto>> get, string state)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var job = await get();
            if (job.State == state)
            {
                return job;
            }

            Assert.True(job.State is not ("failed" or "cancelled" or "declined") && !(job.State == "rejected" && state != "rejected") && !(job.State == "completed" && state != "completed"),
                $"Job {job.Id} ended {job.State}, expected {state}: {job.Error} {string.Join("; ", job.Problems.Select(p => $"{p.Kind} {p.Path}: {p.Detail}"))}");
            Assert.True(watch.Elapsed < JobTimeout, $"Job {job.Id} still {job.State} after {JobTimeout}.");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task AssertStatusAsync(int status, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<ArchiveApiException<ProblemDetails>>(call);
        Assert.Equal(status, ex.StatusCode);
    }

    private static async Task<byte[]> BytesAsync(FileResponse response)
    {
        using (response)
        {
            using var buffer = new MemoryStream();
            await response.Stream.CopyToAsync(buffer, Ct);
            return buffer.ToArray();
        }
    }

    /// <summary>A copy of the tar with one byte of the file's PDF flipped; returns it and the entry's path.</summary>
    private static (byte[] Tar, string Path) FlipByteInPdf(byte[] tar, string fileCode)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.Contains(fileCode + "/content/", StringComparison.Ordinal) && entry.Name.EndsWith(".pdf", StringComparison.Ordinal))
            {
                var copy = (byte[])tar.Clone();
                copy[entry.DataOffset + 100] ^= 0x20;
                return (copy, entry.Name);
            }
        }

        throw new InvalidOperationException($"No PDF of {fileCode} in the package.");
    }

    private ArchiveClient Client(ServerProcess server, string? key)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        _http.Add(http);
        return new ArchiveClient(http) { BaseUrl = server.BaseUrl };
    }

    private static (string CaPath, string SealPfx, string SealSubject) CreateCertificates(string root)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Ban Cơ yếu Chính phủ (thử nghiệm), O=Archive tests", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        var caPath = Path.Combine(root, "ca.cer");
        File.WriteAllBytes(caPath, ca.Export(X509ContentType.Cert));

        using var sealKey = RSA.Create(2048);
        var subject = "CN=Ủy ban nhân dân xã Tân Lập, O=UBND xã Tân Lập, C=VN";
        var sealRequest = new CertificateRequest(subject, sealKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        sealRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        using var issued = sealRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(2), RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(sealKey);
        var pfx = Path.Combine(root, "seal.pfx");
        File.WriteAllBytes(pfx, withKey.Export(X509ContentType.Pfx, "mat-khau-niem-phong"));
        return (caPath, pfx, withKey.Subject);
    }

    private static async Task<string> CreateKeyAsync(string data, string name, string roles, string? agency, bool secret)
    {
        var args = new List<string> { ServerDll, "apikey", "create", "--name", name, "--roles", roles, "--Archive:DataPath=" + data };
        if (agency is not null)
        {
            // The agencies are registered later, through the API: the operator prepares their keys first.
            args.AddRange(["--agencies", agency, "--allow-unregistered-agencies"]);
        }

        if (secret)
        {
            args.AddRange(["--clearance", "secret"]);
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        args.ForEach(info.ArgumentList.Add);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        var errors = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"apikey create failed ({process.ExitCode}): {output}{errors}");
        return output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("ak_", StringComparison.Ordinal));
    }

    private static string ServerDll => ServerProcess.ServerDll;

    private async Task<ServerProcess> StartAsync(string data, Dictionary<string, string> environment)
    {
        var server = ServerProcess.Launch(data, environment);
        _servers.Add(server);
        await server.WaitHealthyAsync(Ct);
        return server;
    }
}
