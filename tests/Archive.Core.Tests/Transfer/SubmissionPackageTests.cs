using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Xml.Linq;
using Archive.Core.Tests.Records;
using Archive.Handover;
using Archive.Retention;
using Archive.Transfer;
using Xunit;
using static Archive.Core.Tests.Transfer.TransferFixture;

namespace Archive.Core.Tests.Transfer;

public sealed class SubmissionPackageTests
{
    private static readonly XNamespace Mets = SipLayout.MetsNs;
    private static readonly XNamespace Xlink = SipLayout.XlinkNs;
    private static readonly XNamespace Premis = SipLayout.PremisNs;

    [Fact]
    public async Task Package_has_the_EARK_layout_with_SHA256_everywhere_and_ISO8601_with_plus_seven()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agencies = CreateAgencies();
        await agencies.SeedQuangNamCommunesAsync();
        var content = RandomNumberGenerator.GetBytes(120_000);
        var open = await agencies.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ hội nghị tổng kết năm 2015", RetentionPeriod.Permanent, AccessLevel.Public, content, "Báo cáo tổng kết.jpg");
        var secret = await agencies.FileAsync("P-TAMXUAN", "02.QS", 2016, "Hồ sơ công tác quân sự năm 2016", RetentionPeriod.Permanent, AccessLevel.Secret, RandomNumberGenerator.GetBytes(3000), "Mật.jpg");
        var fixedTerm = await agencies.FileAsync("P-TAMXUAN", "03.VP", 2016, "Hồ sơ công văn đi năm 2016", RetentionPeriod.OfYears(10), AccessLevel.Public);

        // An explicit selection with files that cannot go is refused whole, every problem named.
        var refused = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await agencies.Transfer().ExportToFolderAsync(
            new TransferRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, FileCodes = [open, fixedTerm, "000.21.49.H49.2015.99.XX"] },
            Path.Combine(agencies.DataPath, "refused"),
            ArchiveHarness.User,
            cancellationToken: ct));
        Assert.Equal(["transfer.not-permanent", "record-file.not-found"], refused.Errors.Select(e => e.Rule));
        Assert.False(Directory.Exists(Path.Combine(agencies.DataPath, "refused")));

        var folder = Path.Combine(agencies.DataPath, "sip");
        var sip = await agencies.Transfer().ExportToFolderAsync(
            new TransferRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, ArchivesName = "Lưu trữ lịch sử tỉnh Quảng Nam", AsOf = TransferDate },
            folder,
            ArchiveHarness.User,
            cancellationToken: ct);
        Assert.Equal([open, secret], sip.Catalogue.Files.Select(r => r.FileCode));
        Assert.Equal(AccessLevel.Secret, sip.Catalogue.Files[1].Rights);
        Assert.False(File.Exists(Path.Combine(folder, SipLayout.IncompleteMarker)));
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(folder, "representations", "rep1", "data", open, "001", "Báo cáo tổng kết.jpg"), ct));

        // METS: namespaces, header agents, every file with MIMETYPE, SIZE, CREATED (+07:00) and a SHA-256 that matches.
        var mets = XDocument.Load(Path.Combine(folder, SipLayout.Mets));
        Assert.Equal(Mets + "mets", mets.Root!.Name);
        Assert.Equal(sip.TransferId, (string?)mets.Root.Attribute("OBJID"));
        Assert.Equal("SIP", (string?)mets.Root.Element(Mets + "metsHdr")!.Attribute(XName.Get("OAISPACKAGETYPE", SipLayout.CsipNs)));
        var archivist = mets.Root.Element(Mets + "metsHdr")!.Elements(Mets + "agent").Single(a => (string?)a.Attribute("ROLE") == "ARCHIVIST");
        Assert.Equal("Ủy ban nhân dân xã Tam Xuân", archivist.Element(Mets + "name")!.Value);
        Assert.Equal(XaTamXuan, archivist.Element(Mets + "note")!.Value);
        var references = mets.Descendants(Mets + "file").Select(f => (Element: f, Href: (string)f.Element(Mets + "FLocat")!.Attribute(Xlink + "href")!))
            .Concat(mets.Descendants(Mets + "mdRef").Select(m => (Element: m, Href: (string)m.Attribute(Xlink + "href")!)))
            .ToList();
        var onDisk = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/')).Where(p => p != SipLayout.Mets).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(onDisk, references.Select(r => SipLayout.FromHref(r.Href)).Order(StringComparer.Ordinal));
        foreach (var (element, href) in references)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, SipLayout.FromHref(href)), ct);
            Assert.Equal("SHA-256", (string?)element.Attribute("CHECKSUMTYPE"));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (string?)element.Attribute("CHECKSUM"));
            Assert.Equal(bytes.Length, (long)element.Attribute("SIZE")!);
            Assert.EndsWith("+07:00", (string)element.Attribute("CREATED")!, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty((string?)element.Attribute("MIMETYPE")));
        }

        Assert.Equal(2, mets.Descendants(Mets + "mdRef").Count(m => (string?)m.Attribute("MDTYPE") == "DC"));
        Assert.Single(mets.Descendants(Mets + "mdRef"), m => (string?)m.Attribute("MDTYPE") == "PREMIS");
        Assert.Equal(2, mets.Descendants(Mets + "fileGrp").Single(g => (string?)g.Attribute("USE") == "Representations/rep1").Elements(Mets + "file").Count());
        // Every file is reached from a structMap: through its file group (the CSIP structMap points at groups,
        // CSIP116/119) and, for content, by itself from its record file's div in the logical structMap.
        var fptrs = mets.Descendants(Mets + "fptr").Select(f => (string)f.Attribute("FILEID")!).ToHashSet();
        Assert.All(mets.Descendants(Mets + "file"), f => Assert.Contains((string)f.Parent!.Attribute("ID")!, fptrs));
        var records = mets.Root.Elements(Mets + "structMap").Single(s => (string?)s.Attribute("TYPE") == "LOGICAL");
        Assert.Equal([open, secret], records.Descendants(Mets + "div").Skip(1).Select(d => (string?)d.Attribute("LABEL")));
        Assert.All(mets.Descendants(Mets + "fileGrp").Single(g => (string?)g.Attribute("USE") == "Representations/rep1").Elements(Mets + "file"), f => Assert.Contains((string)f.Attribute("ID")!, records.Descendants(Mets + "fptr").Select(p => (string?)p.Attribute("FILEID"))));

        // PREMIS: fixity of each content file, events with +07:00 timestamps, agents.
        var premis = XDocument.Load(Path.Combine(folder, "metadata", "preservation", "PREMIS.xml"));
        Assert.Equal(Premis + "premis", premis.Root!.Name);
        var digests = premis.Descendants(Premis + "fixity").Select(f => f.Element(Premis + "messageDigest")!.Value).ToList();
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(content)), digests);
        Assert.All(premis.Descendants(Premis + "messageDigestAlgorithm"), a => Assert.Equal("SHA-256", a.Value));
        Assert.Equal(["creation", "fixity check", "ingestion", "transfer"], premis.Descendants(Premis + "eventType").Select(e => e.Value).Distinct().Order(StringComparer.Ordinal));
        Assert.All(premis.Descendants(Premis + "eventDateTime"), e => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$", e.Value));
        Assert.Equal(3, premis.Descendants(Premis + "agent").Count());

        // Dublin Core keeps the access level; the catalogue CSV totals in figures and words.
        var dc = XDocument.Load(Path.Combine(folder, "metadata", "descriptive", secret, "dc.xml"));
        Assert.Equal("Mật", dc.Descendants(XName.Get("rights", SipLayout.DcNs)).Single().Value);
        var csv = await File.ReadAllTextAsync(Path.Combine(folder, "documentation", "muc-luc-ho-so-nop-luu.csv"), ct);
        Assert.Contains("Tổng số: 2 hồ sơ (bằng chữ: hai hồ sơ)", csv, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(folder, "documentation", OfficeTransferDocumentWriter.CatalogueXlsx)).Length > 0);
        Assert.True(new FileInfo(Path.Combine(folder, "documentation", OfficeTransferDocumentWriter.RecordDocx)).Length > 0);
        Assert.True((await SipVerifier.VerifyAsync(folder, cancellationToken: ct)).IsValid);

        // An existing non-empty target is refused.
        var exists = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await agencies.Transfer().ExportToFolderAsync(
            new TransferRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, AsOf = TransferDate }, folder, ArchiveHarness.User, cancellationToken: ct));
        Assert.Equal("transfer.target-exists", exists.Rule);
    }

    [Fact]
    public async Task Hostile_or_damaged_packages_are_rejected_whole_and_change_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agencies = CreateAgencies();
        await using var archives = CreateHistoricalArchives();
        await agencies.SeedQuangNamCommunesAsync();
        await archives.SeedArchivesAsync();
        await archives.Agencies.CreateAsync(new Archive.Records.Agency { Id = "000.00.15.H48", Name = "Lưu trữ lịch sử thành phố Đà Nẵng" }, ArchiveHarness.User, ct);
        using var cert = Certificate("UBND xã Tam Xuân");
        var code = await agencies.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ đại hội đại biểu nhân dân xã", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(40_000), "Biên bản đại hội.jpg");
        var dir = Path.Combine(agencies.DataPath, "hostile");
        Directory.CreateDirectory(dir);
        var tar = Path.Combine(dir, "nop-luu.tar");
        await agencies.Transfer().ExportToTarAsync(new TransferRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, AsOf = TransferDate, SealCertificate = cert }, tar, ArchiveHarness.User, cancellationToken: ct);
        Assert.False(File.Exists(tar + ".partial"));
        var clean = Path.Combine(dir, "clean");
        Directory.CreateDirectory(clean);
        await TarFile.ExtractToDirectoryAsync(tar, clean, false, ct);
        var top = Path.Combine(clean, "nop-luu");
        var receipt = new AccessionReceipt { ArchivesAgencyId = LuuTruLichSu, ExpectedSigner = cert };
        var before = await archives.SnapshotAsync();
        var content = Path.Combine("representations", "rep1", "data", code, "001", "Biên bản đại hội.jpg");

        var n = 0;
        async Task Rejected(Action<string> tamper, BagProblemKind kind, AccessionReceipt? r = null)
        {
            var copy = CopyFolder(top, Path.Combine(dir, "copy" + ++n));
            tamper(copy);
            var result = await archives.Accession().AccessionAsync(copy, r ?? receipt, ArchiveHarness.User, ct);
            Assert.False(result.Accepted, $"case {n}");
            Assert.Contains(result.Verification.Problems, p => p.Kind == kind);
            Assert.Equal(before, await archives.SnapshotAsync());
        }

        await Rejected(c => File.WriteAllText(Path.Combine(c, "representations", "rep1", "data", "smuggled.txt"), "x"), BagProblemKind.ExtraFile);
        await Rejected(c => File.Delete(Path.Combine(c, content)), BagProblemKind.MissingFile);
        await Rejected(c => Truncate(Path.Combine(c, content)), BagProblemKind.Corrupt);
        await Rejected(c => File.AppendAllText(Path.Combine(c, content), "extra"), BagProblemKind.Corrupt);
        await Rejected(c => File.Delete(Path.Combine(c, SipLayout.MetsSeal)), BagProblemKind.Signature);

        // Content changed and METS.xml re-hashed to match it, under the old seal: every checksum agrees, only the
        // seal's cryptographic check can see it.
        await Rejected(c =>
        {
            var file = Path.Combine(c, content);
            var bytes = File.ReadAllBytes(file);
            var before = Convert.ToHexStringLower(SHA256.HashData(bytes));
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(file, bytes);
            var after = Convert.ToHexStringLower(SHA256.HashData(bytes));
            EditMets(c, s => s.Replace(before, after, StringComparison.OrdinalIgnoreCase));
        }, BagProblemKind.Signature);
        await Rejected(c => EditMets(c, s => s.Replace("</mets:mets>", "<mets:mets>", StringComparison.Ordinal)), BagProblemKind.BadManifest, receipt with { ExpectedSigner = null });
        await Rejected(c => EditMets(c, s => s.Replace("xlink:href=\"documentation/muc-luc-ho-so-nop-luu.csv\"", "xlink:href=\"../../muc-luc.csv\"", StringComparison.Ordinal)), BagProblemKind.UnsafePath, receipt with { ExpectedSigner = null });
        await Rejected(c => EditMets(c, s => s.Replace("xlink:href=\"documentation/muc-luc-ho-so-nop-luu.csv\"", "xlink:href=\"/etc/passwd\"", StringComparison.Ordinal)), BagProblemKind.UnsafePath, receipt with { ExpectedSigner = null });
        await Rejected(c => EditMets(c, s => s.Replace("<!DOCTYPE", "<!DOCTYPE", StringComparison.Ordinal).Replace("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", StringComparison.Ordinal)), BagProblemKind.BadManifest, receipt with { ExpectedSigner = null });
        await Rejected(c => File.CreateSymbolicLink(Path.Combine(c, "representations", "rep1", "data", "link"), "/etc/passwd"), BagProblemKind.LinkOrSpecialFile);
        await Rejected(_ => { }, BagProblemKind.Mismatch, receipt with { ArchivesAgencyId = "000.00.15.H48" });
        await Rejected(_ => { }, BagProblemKind.TooLarge, receipt with { MaxFileBytes = 10_000 });
        if (OperatingSystem.IsLinux() && File.Exists("/usr/bin/mkfifo"))
        {
            await Rejected(c => Process.Start("/usr/bin/mkfifo", Path.Combine(c, "representations", "rep1", "data", "pipe"))!.WaitForExit(), BagProblemKind.LinkOrSpecialFile);
        }

        // Hostile tars: each stops extraction at the bad entry and nothing lands outside the staging folder.
        async Task HostileTar(string name, Action<TarWriter> extra, BagProblemKind kind)
        {
            var path = Path.Combine(dir, name + ".tar");
            using (var output = File.Create(path))
            using (var writer = new TarWriter(output, TarEntryFormat.Pax))
            {
                using var input = File.OpenRead(tar);
                using var reader = new TarReader(input);
                while (reader.GetNextEntry() is { } e)
                {
                    writer.WriteEntry(e);
                }

                extra(writer);
            }

            var result = await archives.Accession().AccessionAsync(path, receipt, ArchiveHarness.User, ct);
            Assert.False(result.Accepted, name);
            Assert.Contains(result.Verification.Problems, p => p.Kind == kind);
            Assert.Equal(before, await archives.SnapshotAsync());
        }

        static PaxTarEntry Text(string name, string text) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };
        await HostileTar("traversal", w => w.WriteEntry(Text("nop-luu/../../evil.txt", "x")), BagProblemKind.UnsafePath);
        Assert.False(File.Exists(Path.Combine(archives.DataPath, "evil.txt")));
        await HostileTar("absolute", w => w.WriteEntry(Text("/tmp/evil-transfer.txt", "x")), BagProblemKind.UnsafePath);
        await HostileTar("symlink", w => w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "nop-luu/representations/rep1/data/link") { LinkName = "/etc/passwd" }), BagProblemKind.LinkOrSpecialFile);
        await HostileTar("device", w => w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "nop-luu/representations/rep1/data/null") { DeviceMajor = 1, DeviceMinor = 3 }), BagProblemKind.LinkOrSpecialFile);
        await HostileTar("duplicate", w => w.WriteEntry(Text("nop-luu/METS.xml", "<x/>")), BagProblemKind.UnsafePath);
        var truncated = Path.Combine(dir, "truncated.tar");
        var bytes = await File.ReadAllBytesAsync(tar, ct);
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length * 2 / 3)], ct);
        var cut = await archives.Accession().AccessionAsync(truncated, receipt, ArchiveHarness.User, ct);
        Assert.False(cut.Accepted);
        Assert.Contains(cut.Verification.Problems, p => p.Kind is BagProblemKind.Corrupt or BagProblemKind.MissingFile or BagProblemKind.MissingTagFile);
        Assert.Equal(before, await archives.SnapshotAsync());
        Assert.Empty(Directory.Exists(Path.Combine(archives.DataPath, "tmp")) ? Directory.GetDirectories(Path.Combine(archives.DataPath, "tmp"), "accession-*") : []);

        // The clean package is accepted.
        var accepted = await archives.Accession().AccessionAsync(tar, receipt, ArchiveHarness.User, ct);
        Assert.True(accepted.Accepted, string.Join("; ", accepted.Verification.Problems));
        Assert.Equal([code], accepted.Accessioned);
        Assert.Contains("Tam Xuân", accepted.Verification.Signer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "không")]
    [InlineData(3, "ba")]
    [InlineData(15, "mười lăm")]
    [InlineData(21, "hai mươi mốt")]
    [InlineData(24, "hai mươi tư")]
    [InlineData(105, "một trăm lẻ năm")]
    [InlineData(1015, "một nghìn không trăm mười lăm")]
    [InlineData(2_000_300, "hai triệu ba trăm")]
    public void Totals_are_written_in_Vietnamese_words(long number, string words) => Assert.Equal(words, SipLayout.InWords(number));

    private static void Truncate(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.SetLength(f.Length / 2);
    }

    private static void EditMets(string folder, Func<string, string> edit)
    {
        var path = Path.Combine(folder, SipLayout.Mets);
        var text = File.ReadAllText(path);
        var edited = edit(text);
        Assert.NotEqual(text, edited);
        File.WriteAllText(path, edited);
    }
}
