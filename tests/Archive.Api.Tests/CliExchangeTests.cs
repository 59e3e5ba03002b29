using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Archive.Audit;
using Archive.Handover;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Retention;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// The offline exchange verbs of the standalone server (issue #21), run as the operator runs them: the built
/// Archive.Server.dll started as a child process (<c>dotnet Archive.Server.dll handover export ... --Archive:DataPath=DIR</c>)
/// over data folders seeded through the engine in this process (disposed before each child starts: the search index
/// is locked by one process at a time). Exit codes, the report on stdout, progress and refusals on stderr, the state
/// and audit trail of the data folders afterwards.
/// </summary>
public sealed partial class CliExchangeTests : IDisposable
{
    private const string XaTamXuan = "000.21.49.H49";
    private const string XaNuiThanh = "000.23.49.H49";
    private const string LuuTruLichSu = "000.00.14.H49";
    private const string Fonds = "P-TAMXUAN";
    private const string EventId = "2025-NQ-1681";
    private const string Clerk = "van-thu-cli";

    private static readonly ArchiveUser Seeder = new("seeder");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "archive-cli-tests", Guid.NewGuid().ToString("N"));

    public CliExchangeTests() => Directory.CreateDirectory(_root);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Handover_export_by_event_verify_tampered_copy_rejected_then_accept_moves_custody()
    {
        var data = Path.Combine(_root, "agencies");
        var (permanent, _) = await SeedAgenciesAsync(data);
        var bag = Path.Combine(_root, "usb", "ban-giao");

        // Export: the receiver is the successor the reorganisation event names; no seal is configured, and stderr says so.
        var export = await CliAsync("handover", "export", "--fonds", Fonds, "--event", EventId, "--to", bag, "--user", Clerk, $"--Archive:DataPath={data}");
        Assert.True(export.Code == 0, export.ToString());
        Assert.Contains("UNSEALED", export.Stderr, StringComparison.Ordinal);
        Assert.Contains($"for agency {XaNuiThanh}", export.Stdout, StringComparison.Ordinal);
        Assert.Contains("Record files: 2", export.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"Exporting: \d+/\d+ files, .* \(\d+%\)", export.Stderr); // one line per 5 % (stderr is redirected)
        Assert.Contains("(100%)", export.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(bag, "bagit.txt")));

        // The same folder again is refused by a rule (exit 3), naming it.
        var again = await CliAsync("handover", "export", "--fonds", Fonds, "--to-agency", XaNuiThanh, "--to", bag, $"--Archive:DataPath={data}");
        Assert.True(again.Code == 3, again.ToString());
        Assert.Contains("handover.target-exists", again.Stderr, StringComparison.Ordinal);

        // Verify: sound (exit 0).
        var verify = await CliAsync("handover", "verify", bag, "--agency", XaNuiThanh, "--user", Clerk, $"--Archive:DataPath={data}");
        Assert.True(verify.Code == 0, verify.ToString());
        Assert.Contains("SOUND", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("Unsealed", verify.Stdout, StringComparison.Ordinal);

        // A copy with one payload byte changed: rejected (exit 1), the report names the file.
        var tampered = CopyFolder(bag, Path.Combine(_root, "usb", "ban-giao-sua"));
        var payload = Directory.EnumerateFiles(Path.Combine(tampered, "data", "finished", permanent, "content"), "*", SearchOption.AllDirectories).First();
        FlipByte(payload);
        var bad = await CliAsync("handover", "verify", tampered, "--agency", XaNuiThanh, $"--Archive:DataPath={data}");
        Assert.True(bad.Code == 1, bad.ToString());
        var relative = Path.GetRelativePath(tampered, payload).Replace('\\', '/');
        Assert.Contains("ChecksumMismatch", bad.Stdout, StringComparison.Ordinal);
        Assert.Contains(relative, bad.Stdout, StringComparison.Ordinal);
        Assert.Contains("REJECTED", bad.Stdout, StringComparison.Ordinal);

        // Addressed to another agency: rejected too.
        var wrong = await CliAsync("handover", "verify", bag, "--agency", XaTamXuan, $"--Archive:DataPath={data}");
        Assert.True(wrong.Code == 1, wrong.ToString());
        Assert.Contains($"not to '{XaTamXuan}'", wrong.Stdout, StringComparison.Ordinal);

        // An interrupted export (marker left, a payload file missing) is refused without --resume and completed with it.
        var interrupted = CopyFolder(bag, Path.Combine(_root, "usb", "ban-giao-do-dang"));
        await File.WriteAllTextAsync(Path.Combine(interrupted, BagIt.IncompleteMarker), "interrupted", Ct);
        File.Delete(Directory.EnumerateFiles(Path.Combine(interrupted, "data", "finished", permanent, "content"), "*", SearchOption.AllDirectories).First());
        var refused = await CliAsync("handover", "export", "--fonds", Fonds, "--to-agency", XaNuiThanh, "--to", interrupted, $"--Archive:DataPath={data}");
        Assert.True(refused.Code == 3, refused.ToString());
        Assert.Contains("--resume", refused.Stderr, StringComparison.Ordinal);
        var resumed = await CliAsync("handover", "export", "--fonds", Fonds, "--to-agency", XaNuiThanh, "--to", interrupted, "--resume", $"--Archive:DataPath={data}");
        Assert.True(resumed.Code == 0, resumed.ToString());
        Assert.Contains("kept from the interrupted export", resumed.Stdout, StringComparison.Ordinal);

        // Accept the sound bag (exit 0): the fonds passes into the successor's custody.
        var accept = await CliAsync("handover", "accept", bag, "--agency", XaNuiThanh, "--user", Clerk, $"--Archive:DataPath={data}");
        Assert.True(accept.Code == 0, accept.ToString());
        Assert.Contains("ACCEPTED", accept.Stdout, StringComparison.Ordinal);

        await using var engine = Engine(data);
        var fonds = await engine.GetRequiredService<FondsRegistry>().GetAsync(Fonds, Ct);
        Assert.Equal(XaNuiThanh, fonds!.Value.CustodianAgencyId);
        Assert.Equal(Clerk, fonds.ModifiedBy);
        var trail = await AuditOfAsync(engine, Clerk);
        Assert.Contains(trail, e => e.Action == AuditActions.Export && e.ObjectType == "fonds" && e.ObjectId == Fonds && e.Outcome == AuditOutcome.Success);
        Assert.Contains(trail, e => e.Action == AuditActions.Import && e.ObjectType == "handover-package" && e.Outcome == AuditOutcome.Success && e.Detail!.Contains("Verified offline", StringComparison.Ordinal));
        Assert.Contains(trail, e => e.Action == AuditActions.Import && e.ObjectType == "handover-package" && e.Outcome == AuditOutcome.Success && e.Detail!.Contains("Accepted", StringComparison.Ordinal));
        Assert.Contains(trail, e => e.Action == AuditActions.Change && e.ObjectType == "fonds" && e.ObjectId == Fonds);
    }

    [Fact]
    public async Task Transfer_export_sealed_then_accession_import_elsewhere_then_confirm_marks_the_files_accessioned()
    {
        var agencies = Path.Combine(_root, "agencies");
        var archives = Path.Combine(_root, "historical-archives");
        var (permanent, other) = await SeedAgenciesAsync(agencies);
        await SeedArchivesAsync(archives);
        var (pfx, cer, subject) = await CertificateAsync();

        // Export, sealed with the configured certificate, to a tar on the device.
        var tar = Path.Combine(_root, "usb", "nop-luu.tar");
        var export = await CliAsync("transfer", "export", "--agency", XaTamXuan, "--archives", LuuTruLichSu, "--files", $"{permanent},{other}", "--tar", tar, "--legal-basis", "Kế hoạch thu nộp số 12/KH-LTLS", "--user", Clerk,
            $"--Archive:DataPath={agencies}", $"--Archive:Exchange:Seal:CertificatePath={pfx}", "--Archive:Exchange:Seal:CertificatePassword=mat-khau");
        Assert.True(export.Code == 0, export.ToString());
        Assert.DoesNotContain("UNSEALED", export.Stderr, StringComparison.Ordinal);
        Assert.Contains("Sealed with", export.Stdout, StringComparison.Ordinal);
        Assert.Contains(permanent, export.Stdout, StringComparison.Ordinal);
        Assert.Contains("(100%)", export.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(tar));

        // Accession at the Historical Archives (its own data folder), trusting the agency's certificate.
        var records = Path.Combine(_root, "usb", "bien-ban.json");
        var trust = $"--Archive:Exchange:Seal:TrustedCertificates:0={cer}";
        var check = await CliAsync("accession", "verify", tar, "--archives", LuuTruLichSu, $"--Archive:DataPath={archives}", trust);
        Assert.True(check.Code == 0, check.ToString());
        Assert.Contains($"Sealed by '{subject}', on the trust list", check.Stdout, StringComparison.Ordinal);
        var import = await CliAsync("accession", "import", tar, "--archives", LuuTruLichSu, "--reference", "15/BB-LTLS", "--records-out", records, "--user", "luu-tru-vien",
            $"--Archive:DataPath={archives}", trust);
        Assert.True(import.Code == 0, import.ToString());
        Assert.Contains("ACCESSIONED: 2 record files", import.Stdout, StringComparison.Ordinal);
        Assert.Contains(records, import.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(records));

        // Without the trust list entry for its signer... a trust list of another certificate rejects it (exit 1).
        var (_, otherCer, _) = await CertificateAsync("Another agency");
        var untrusted = await CliAsync("accession", "verify", tar, "--archives", LuuTruLichSu, $"--Archive:DataPath={archives}", $"--Archive:Exchange:Seal:TrustedCertificates:0={otherCer}");
        Assert.True(untrusted.Code == 1, untrusted.ToString());
        Assert.Contains("Signature", untrusted.Stdout, StringComparison.Ordinal);

        // Back at the submitting agency: the completed record marks both files accessioned; again, nothing more.
        var confirm = await CliAsync("transfer", "confirm", records, "--user", Clerk, $"--Archive:DataPath={agencies}");
        Assert.True(confirm.Code == 0, confirm.ToString());
        Assert.Contains("CONFIRMED: 2 record files", confirm.Stdout, StringComparison.Ordinal);
        var twice = await CliAsync("transfer", "confirm", records, $"--Archive:DataPath={agencies}");
        Assert.True(twice.Code == 0, twice.ToString());
        Assert.Contains("CONFIRMED: 0 record files", twice.Stdout, StringComparison.Ordinal);

        // The record does not fit the Historical Archives' own folder (no file is held there by the submitting agency).
        var elsewhere = await CliAsync("transfer", "confirm", records, $"--Archive:DataPath={archives}");
        Assert.True(elsewhere.Code == 3, elsewhere.ToString());
        Assert.Contains("transfer.not-held", elsewhere.Stderr, StringComparison.Ordinal);

        await using (var engine = Engine(agencies))
        {
            var files = engine.GetRequiredService<RecordFileService>();
            foreach (var code in new[] { permanent, other })
            {
                var file = await files.GetAsync(code, Ct);
                Assert.NotNull(file!.Value.AccessionedAt);
                Assert.Equal(Clerk, file.ModifiedBy); // the accession mark is a version of the confirming user
            }

            var trail = await AuditOfAsync(engine, Clerk);
            Assert.Contains(trail, e => e.Action == AuditActions.Export && e.ObjectType == "transfer" && e.Outcome == AuditOutcome.Success);
            Assert.Contains(trail, e => e.Action == AuditActions.Change && e.ObjectType == "transfer" && e.Detail!.Contains("15/BB-LTLS", StringComparison.Ordinal));
        }

        await using (var engine = Engine(archives))
        {
            var file = await engine.GetRequiredService<RecordFileService>().GetAsync(permanent, Ct);
            Assert.NotNull(file!.Value.AccessionedAt);
            var fonds = await engine.GetRequiredService<FondsRegistry>().GetAsync(Fonds, Ct);
            Assert.Equal(LuuTruLichSu, fonds!.Value.CustodianAgencyId);
            var trail = await AuditOfAsync(engine, "luu-tru-vien");
            Assert.Contains(trail, e => e.Action == AuditActions.Import && e.ObjectType == "accession" && e.Outcome == AuditOutcome.Success);
        }
    }

    [Fact]
    public async Task Usage_errors_exit_2_naming_the_option_and_refusals_exit_3_naming_the_field()
    {
        var data = Path.Combine(_root, "agencies");
        await SeedAgenciesAsync(data);
        var config = $"--Archive:DataPath={data}";

        var cases = new (string[] Args, string Expected)[]
        {
            (["handover", "export", "--to-agency", XaNuiThanh, "--to", "x", config], "--fonds"),
            (["handover", "export", "--fonds", Fonds, "--to", "x", config], "--to-agency"),
            (["handover", "export", "--fonds", Fonds, "--to-agency", XaNuiThanh, config], "--tar"),
            (["handover", "export", "--fonds", Fonds, "--to-agency", XaNuiThanh, "--to", "x", "--tar", "y.tar", config], "--to"),
            (["handover", "verify", "bag", config], "--agency"),
            (["handover", "verify", "--agency", XaNuiThanh, config], "PATH"),
            (["handover", "accept", "bag", "--agency", XaNuiThanh, "--colour", "blue", config], "--colour"),
            (["handover", "export", "--fonds", config], "--fonds"),
            (["transfer", "export", "--agency", XaTamXuan, "--tar", "t.tar", config], "--archives"),
            (["transfer", "export", "--agency", XaTamXuan, "--archives", LuuTruLichSu, "--tar", "t.tar", "--as-of", "25/11/2026", config], "--as-of"),
            (["transfer", "confirm", config], "RECORD.json"),
            (["accession", "import", "p.tar", "--reference", "1", config], "--archives"),
            (["handover", "frobnicate", config], "frobnicate"),
            (["handover", config], "handover export"),
        };
        foreach (var (args, expected) in cases)
        {
            var run = await CliAsync(args);
            Assert.True(run.Code == 2, string.Join(' ', args) + "\n" + run);
            Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        }

        var help = await CliAsync("help");
        Assert.Equal(0, help.Code);
        foreach (var verb in new[] { "handover export", "handover verify", "handover accept", "transfer export", "transfer confirm", "accession import", "--user", "--resume", "--records-out" })
        {
            Assert.Contains(verb, help.Stdout, StringComparison.Ordinal);
        }

        // The data folder must exist (a wrong path would otherwise start an empty archive).
        var missing = await CliAsync("handover", "verify", "bag", "--agency", XaNuiThanh, $"--Archive:DataPath={Path.Combine(_root, "none")}");
        Assert.Equal(2, missing.Code);
        Assert.Contains("--Archive:DataPath", missing.Stderr, StringComparison.Ordinal);

        // While a server (or another verb) holds the data folder, a verb does not touch it (exit 4).
        using (new FileStream(Path.Combine(data, "archive-server.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var busy = await CliAsync("handover", "verify", "bag", "--agency", XaNuiThanh, config);
            Assert.True(busy.Code == 4, busy.ToString());
            Assert.Contains("in use by a running archive-server", busy.Stderr, StringComparison.Ordinal);
        }

        // Refused by the engine's rules (exit 3): every broken rule with its option and field.
        var unknown = await CliAsync("handover", "export", "--fonds", "P-NONE", "--to-agency", XaNuiThanh, "--to", Path.Combine(_root, "x"), config);
        Assert.True(unknown.Code == 3, unknown.ToString());
        Assert.Contains("--fonds (fondsCode)", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("fonds.not-found", unknown.Stderr, StringComparison.Ordinal);
        var noEvent = await CliAsync("handover", "export", "--fonds", Fonds, "--event", "NQ-KHONG-CO", "--to-agency", XaNuiThanh, "--to", Path.Combine(_root, "x"), config);
        Assert.True(noEvent.Code == 3, noEvent.ToString());
        Assert.Contains("--event (eventId)", noEvent.Stderr, StringComparison.Ordinal);
        Assert.Contains("reorganisation.not-found", noEvent.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "x")));
        var notPermanent = await CliAsync("transfer", "export", "--agency", XaTamXuan, "--archives", LuuTruLichSu, "--files", "000.21.49.H49.2015.99.XX", "--tar", Path.Combine(_root, "t.tar"), config);
        Assert.True(notPermanent.Code == 3, notPermanent.ToString());
        Assert.Contains("--files (fileCodes[0])", notPermanent.Stderr, StringComparison.Ordinal);
        Assert.Contains("record-file.not-found", notPermanent.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "t.tar")));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static ServiceProvider Engine(string dataPath)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddArchive(o => o.DataPath = dataPath).AddEmbeddedDefaults().AddReorganisation().AddTransfer();
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Commune Tam Xuân with its fonds (a permanent file and another permanent file, each with a scan) and the commune
    /// Núi Thành, its successor under a recorded merger (sáp nhập); returns the two file codes.
    /// </summary>
    [Fact]
    public async Task Catalogue_export_prints_the_fonds_catalogue_offline_and_refuses_bad_options_naming_them()
    {
        var data = Path.Combine(_root, "agencies");
        await SeedAgenciesAsync(data);
        var csv = Path.Combine(_root, "muc-luc.csv");

        // The 2016 catalogue as CSV: one file (02.VP), the total on stdout, the export in the audit trail.
        var run = await CliAsync("catalogue", "export", "--fonds", Fonds, "--year", "2016", "--format", "csv", "--out", csv, "--user", Clerk, $"--Archive:DataPath={data}");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("Tổng số: 1 (Một) hồ sơ", run.Stdout, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(csv, Ct)).Skip(1).ToList();
        Assert.Equal(["1,02.VP,Hồ sơ sắp xếp đơn vị hành chính năm 2016,05/01/2016,20/12/2016,Vĩnh viễn,,2,"], lines);
        Assert.False(File.Exists(csv + ".partial"));

        // All years, XLSX (the default format): both files.
        var xlsx = Path.Combine(_root, "muc-luc.xlsx");
        var all = await CliAsync("catalogue", "export", "--fonds", Fonds, "--out", xlsx, $"--Archive:DataPath={data}");
        Assert.True(all.Code == 0, all.ToString());
        Assert.Contains("Tổng số: 2 (Hai) hồ sơ", all.Stdout, StringComparison.Ordinal);
        Assert.Equal("PK"u8.ToArray(), (await File.ReadAllBytesAsync(xlsx, Ct))[..2]);

        // Refusals name the option: a usage error (exit 2) before the engine opens, a rule (exit 3) from the engine.
        var badFormat = await CliAsync("catalogue", "export", "--fonds", Fonds, "--format", "pdf", "--out", csv, $"--Archive:DataPath={data}");
        Assert.True(badFormat.Code == 2, badFormat.ToString());
        Assert.Contains("--format", badFormat.Stderr, StringComparison.Ordinal);
        var badYear = await CliAsync("catalogue", "export", "--fonds", Fonds, "--year", "3000", "--out", csv, $"--Archive:DataPath={data}");
        Assert.True(badYear.Code == 3, badYear.ToString());
        Assert.Contains("--year (year)", badYear.Stderr, StringComparison.Ordinal);
        Assert.Contains("catalogue.year-range", badYear.Stderr, StringComparison.Ordinal);

        await using var engine = Engine(data);
        var audit = await AuditOfAsync(engine, Clerk);
        Assert.Contains(audit, e => e is { Action: AuditActions.Export, ObjectType: "catalogue", ObjectId: Fonds });
    }

    private static async Task<(string Permanent, string Other)> SeedAgenciesAsync(string data)
    {
        Directory.CreateDirectory(data);
        await using var engine = Engine(data);
        var agencies = engine.GetRequiredService<AgencyRegistry>();
        await agencies.CreateAsync(new Agency { Id = XaTamXuan, Name = "Ủy ban nhân dân xã Tam Xuân" }, Seeder, Ct);
        await agencies.CreateAsync(new Agency { Id = XaNuiThanh, Name = "Ủy ban nhân dân xã Núi Thành" }, Seeder, Ct);
        await engine.GetRequiredService<FondsRegistry>().CreateAsync(new FondsInput { Code = Fonds, Name = "Phông Ủy ban nhân dân xã Tam Xuân", AgencyId = XaTamXuan }, Seeder, Ct);
        await engine.GetRequiredService<ReorganisationService>().RecordAsync(new ReorganisationEventInput
        {
            Id = EventId,
            Kind = ReorganisationKind.Merger,
            DecisionNumber = "1681/NQ-UBTVQH15",
            DecisionDate = new DateOnly(2025, 6, 16),
            DecisionAuthority = "Ủy ban Thường vụ Quốc hội",
            EffectiveDate = new DateOnly(2025, 7, 1),
            Affected = [new AffectedAgency { AgencyId = XaTamXuan, SuccessorAgencyId = XaNuiThanh }],
        }, Seeder, Ct);
        var files = engine.GetRequiredService<RecordFileService>();
        var permanent = await FileAsync(files, "01.VP", 2015, "Hồ sơ hội nghị tổng kết năm 2015");
        var other = await FileAsync(files, "02.VP", 2016, "Hồ sơ sắp xếp đơn vị hành chính năm 2016");
        return (permanent, other);
    }

    private static async Task<string> FileAsync(RecordFileService files, string notation, int year, string title)
    {
        var f = (await files.CreateAsync(new RecordFileInput
        {
            FondsCode = Fonds,
            FileCatalog = year,
            FileNotation = notation,
            Title = title,
            Maintenance = RetentionPeriod.Permanent,
            StartDate = new DateOnly(year, 1, 5),
            EndDate = new DateOnly(year, 12, 20),
        }, Seeder, Ct)).Stored;
        var d = await files.AddDocumentAsync(f.Value.FileCode, new DocumentInput
        {
            TypeName = "Công văn",
            CodeNumber = "05",
            CodeNotation = "UBND-VP",
            IssuedDate = new DateOnly(year, 3, 19),
            OrganName = "Ủy ban nhân dân xã Tam Xuân",
            Subject = "Về việc sắp xếp đơn vị hành chính cấp xã",
            PageAmount = 2,
            SignerInfo = new Signer("Chủ tịch", "Nguyễn Văn A"),
        }, f.Version, Seeder, Ct);
        await files.AddContentAsync(f.Value.FileCode, 1, new ContentUpload { FileName = "scan-01.jpg", Content = new MemoryStream(RandomNumberGenerator.GetBytes(200_000)) }, d.Stored.Version, Seeder, Ct);
        return f.Value.FileCode;
    }

    private static async Task SeedArchivesAsync(string data)
    {
        Directory.CreateDirectory(data);
        await using var engine = Engine(data);
        await engine.GetRequiredService<AgencyRegistry>().CreateAsync(new Agency { Id = LuuTruLichSu, Name = "Lưu trữ lịch sử tỉnh Quảng Nam" }, Seeder, Ct);
    }

    private static async Task<List<AuditEvent>> AuditOfAsync(ServiceProvider engine, string actor)
    {
        var page = await engine.GetRequiredService<IAuditLog>().QueryAsync(new AuditQuery { Actor = actor, PageSize = 1000 }, Ct);
        return [.. page.Records.Select(r => r.Event)];
    }

    /// <summary>A seal certificate: PKCS#12 with its key (password "mat-khau") and the public certificate (DER).</summary>
    private async Task<(string Pfx, string Cer, string Subject)> CertificateAsync(string name = "Ủy ban nhân dân xã Tam Xuân")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Việt Nam", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var stem = Path.Combine(_root, "seal-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllBytesAsync(stem + ".pfx", certificate.Export(X509ContentType.Pfx, "mat-khau"), Ct);
        await File.WriteAllBytesAsync(stem + ".cer", certificate.Export(X509ContentType.Cert), Ct);
        return (stem + ".pfx", stem + ".cer", certificate.Subject);
    }

    private static void FlipByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }

    private static string CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return to;
    }

    /// <summary>Runs <c>dotnet Archive.Server.dll ARGS</c> (the server built beside these tests) in the test folder.</summary>
    private async Task<CliRun> CliAsync(params string[] args)
    {
        var dir = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(dir, "Archive.Server.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment.Remove("Archive__DataPath");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var run = new CliRun(process.ExitCode, await stdout, await stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"$ archive-server {string.Join(' ', args)}\n{run}\n");
        return run;
    }

    private sealed record CliRun(int Code, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Code}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}
