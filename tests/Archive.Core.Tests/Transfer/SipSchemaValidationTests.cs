using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using Archive.Core.Tests.Records;
using Archive.Handover;
using Archive.Records;
using Archive.Retention;
using Archive.Testing.Support;
using Archive.Transfer;
using Xunit;
using static Archive.Core.Tests.Transfer.TransferFixture;

namespace Archive.Core.Tests.Transfer;

/// <summary>
/// The transfer SIP against rules we did not write (#21):
/// <list type="bullet">
/// <item>the official METS 1.12.1 schema (with its XLink schema) and the E-ARK CSIP and SIP METS extension schemas,
/// checked by <c>xmllint --schema</c> (Debian's libxml2-utils, installed by <c>scripts/test.sh</c>) with
/// <c>--nonet</c>; skips locally without xmllint, fails under CI=true;</item>
/// <item>the E-ARK CSIP 2.2 and SIP 2.2 METS profile requirements that no schema expresses, each checked by XPath and
/// named by its requirement id (CSIPnn / SIPnn) in the assertion.</item>
/// </list>
/// The schema files are the unmodified upstream files (sources, versions and licences in <c>SipSchemas.md</c> beside this
/// file), pinned here by SHA-256. They are not in this repository: they are taken from <c>ARCHIVE_SIP_SCHEMAS</c> or from
/// <c>shared/schemas/sip/</c> above the checkout; without them the schema test skips (also in CI, which cannot fetch
/// them). XLink's <c>schemaLocation</c> inside <c>mets.xsd</c> (an http URL) is mapped to the local copy by an XML
/// catalog the test writes, so the files stay byte-identical to upstream and xmllint never touches the network.
/// </summary>
public sealed class SipSchemaValidationTests
{
    private const string SchemaFolderVariable = "ARCHIVE_SIP_SCHEMAS";
    private const string XlinkSchemaUrl = "http://www.loc.gov/standards/xlink/xlink.xsd";

    /// <summary>The profile URL of E-ARK SIP 2.2.0 (requirement SIP2).</summary>
    private const string SipProfile = "https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml";

    /// <summary>The upstream schema files, by SHA-256 of their bytes as published (see the README beside them).</summary>
    private static readonly (string File, string Sha256)[] Schemas =
    [
        ("mets.xsd", "8f289c776e490e4763dab0e4b958c74993e5f271718cf244f24d00bb5af62a1f"),
        ("xlink.xsd", "f1f5bb6003165cdd8f6c1fcc32f8fd1f965e1681010f3b9806d9460bcffa8a3c"),
        ("DILCISExtensionMETS.xsd", "dbeb8364a87942d411c880606421c84830d760d2c1e13d935c2f71eb444c31b4"),
        ("DILCISExtensionSIPMETS.xsd", "43ac3f08dbecb74c069d1687187a1aeaed800e77581fe0d418468ae3ad20ef86"),
    ];

    [Fact]
    public async Task Sip_METS_is_valid_for_the_official_METS_and_EARK_extension_schemas_by_xmllint()
    {
        var ct = TestContext.Current.CancellationToken;
        var schemas = SchemaFolder();
        ServerRequirement.Require(
            schemas is not null,
            $"The official METS / E-ARK schema files are not here: set {SchemaFolderVariable} to a folder holding {string.Join(", ", Schemas.Select(s => s.File))}, or put them in shared/schemas/sip/ (sources in the README of that folder).",
            requiredInCi: false);
        foreach (var (file, sha) in Schemas)
        {
            Assert.True(sha == Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(schemas!, file), ct))), $"{file} in {schemas} is not the upstream file pinned by this test.");
        }

        var xmllint = FindOnPath("xmllint");
        ServerRequirement.Require(xmllint is not null, "xmllint is not on PATH (Debian: apt-get install libxml2-utils; scripts/test.sh installs it).");

        await using var h = CreateAgencies();
        var sip = await ExportAsync(h);
        var work = Directory.CreateDirectory(Path.Combine(h.DataPath, "xmllint")).FullName;
        var (driver, catalog) = WriteDriver(work, schemas!);

        // The root METS and every representation METS the package has.
        var documents = Directory.EnumerateFiles(sip, SipLayout.Mets, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(Path.Combine(sip, SipLayout.Mets), documents);
        foreach (var mets in documents)
        {
            var (code, output) = await XmllintAsync(xmllint!, driver, catalog, mets, ct);
            Assert.True(code == 0, $"xmllint rejected {Path.GetRelativePath(sip, mets)} (exit {code}):\n{output}");
            Assert.Contains("validates", output, StringComparison.Ordinal);
        }

        // The validator does validate: METS' own enumerations, the CSIP extension's enumerations and a required
        // attribute, each broken in a copy, are rejected.
        foreach (var (name, xpath, attribute, value) in new (string, string, string, string?)[]
        {
            ("METS CHECKSUMTYPE enumeration", "//mets:file", "CHECKSUMTYPE", "SHA256"),
            ("METS agent ROLE enumeration", "//mets:agent", "ROLE", "SUBMITTER"),
            ("CSIP OAISPACKAGETYPE enumeration", "/mets:mets/mets:metsHdr", "{" + SipLayout.CsipNs + "}OAISPACKAGETYPE", "XIP"),
            ("METS dmdSec/@ID required", "//mets:dmdSec", "ID", null),
        })
        {
            var broken = Path.Combine(work, "broken.xml");
            var doc = XDocument.Load(Path.Combine(sip, SipLayout.Mets));
            doc.XPathSelectElements(xpath, Namespaces()).First().SetAttributeValue(XName.Get(attribute.Split('}')[^1], attribute.StartsWith('{') ? attribute[1..attribute.IndexOf('}')] : string.Empty), value);
            doc.Save(broken);
            var (bad, text) = await XmllintAsync(xmllint!, driver, catalog, broken, ct);
            Assert.True(bad != 0, $"{name}: xmllint accepted a broken METS:\n{text}");
        }
    }

    [Fact]
    public async Task Sip_METS_meets_the_EARK_CSIP_and_SIP_profile_rules_that_a_schema_cannot_express()
    {
        await using var h = CreateAgencies();
        var sip = await ExportAsync(h);
        var failures = CheckProfileRules(sip);
        Assert.True(failures.Count == 0, "E-ARK rules broken:\n" + string.Join("\n", failures));

        // The rules do bite: a package whose METS lost CHECKSUMTYPE on a file, whose software agent lost its version
        // note type and whose structMap lost its CSIP label is reported under those rule ids.
        var copy = CopyFolder(sip, Path.Combine(h.DataPath, "broken"));
        var doc = XDocument.Load(Path.Combine(copy, SipLayout.Mets));
        doc.XPathSelectElements("//mets:file", Namespaces()).First().SetAttributeValue("CHECKSUMTYPE", null);
        doc.XPathSelectElement("/mets:mets/mets:metsHdr/mets:agent[@OTHERTYPE='SOFTWARE']/mets:note", Namespaces())!.SetAttributeValue(XName.Get("NOTETYPE", SipLayout.CsipNs), null);
        doc.XPathSelectElement("/mets:mets/mets:structMap[@LABEL='CSIP']", Namespaces())!.SetAttributeValue("LABEL", "Cấu trúc");
        doc.Save(Path.Combine(copy, SipLayout.Mets));
        var ids = CheckProfileRules(copy).Select(f => f.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("CSIP72", ids);
        Assert.Contains("CSIP16", ids);
        Assert.Contains("CSIP82", ids);
    }

    /// <summary>
    /// The METS profile requirements of E-ARK CSIP 2.2.0 and SIP 2.2.0 (MUST, and the SHOULDs this package claims),
    /// written from the specification text. Returns one line per broken rule, starting with its id.
    /// </summary>
    private static List<string> CheckProfileRules(string sip)
    {
        var failures = new List<string>();
        var ns = Namespaces();
        var doc = XDocument.Load(Path.Combine(sip, SipLayout.Mets), LoadOptions.None);
        var mets = doc.Root!;
        void Rule(string id, bool ok, string what)
        {
            if (!ok)
            {
                failures.Add($"{id}: {what}");
            }
        }

        IEnumerable<XElement> All(string xpath) => doc.XPathSelectElements(xpath, ns);
        string? Attr(XElement? e, string name, string ns2 = "") => (string?)e?.Attribute(XName.Get(name, ns2));
        var csip = SipLayout.CsipNs;

        // Root element.
        Rule("CSIP1", !string.IsNullOrWhiteSpace(Attr(mets, "OBJID")), "mets/@OBJID is mandatory");
        Rule("CSIP2", !string.IsNullOrWhiteSpace(Attr(mets, "TYPE")), "mets/@TYPE declares the content category");
        Rule("CSIP3", Attr(mets, "TYPE") != "OTHER" || !string.IsNullOrWhiteSpace(Attr(mets, "OTHERTYPE", csip)), "mets/@TYPE='OTHER' needs mets/@csip:OTHERTYPE");
        Rule("CSIP5", Attr(mets, "CONTENTINFORMATIONTYPE", csip) != "OTHER" || !string.IsNullOrWhiteSpace(Attr(mets, "OTHERCONTENTINFORMATIONTYPE", csip)), "@csip:CONTENTINFORMATIONTYPE='OTHER' needs @csip:OTHERCONTENTINFORMATIONTYPE");
        Rule("CSIP6", Uri.TryCreate(Attr(mets, "PROFILE"), UriKind.Absolute, out _), "mets/@PROFILE is the URL of the profile");
        Rule("SIP2", Attr(mets, "PROFILE") == SipProfile, $"mets/@PROFILE is \"{SipProfile}\" (found \"{Attr(mets, "PROFILE")}\")");

        // Header and agents.
        var header = All("/mets:mets/mets:metsHdr").ToList();
        Rule("CSIP117", header.Count == 1, "exactly one mets/metsHdr");
        var hdr = header.FirstOrDefault();
        Rule("CSIP7", DateTimeOffset.TryParse(Attr(hdr, "CREATEDATE"), CultureInfo.InvariantCulture, DateTimeStyles.None, out _), "metsHdr/@CREATEDATE is the package's creation date-time");
        Rule("CSIP9", Attr(hdr, "OAISPACKAGETYPE", csip) is not null, "metsHdr/@csip:OAISPACKAGETYPE is mandatory");
        Rule("SIP4", Attr(hdr, "OAISPACKAGETYPE", csip) == "SIP", "metsHdr/@csip:OAISPACKAGETYPE is \"SIP\"");
        var software = All("/mets:mets/mets:metsHdr/mets:agent[@ROLE='CREATOR' and @TYPE='OTHER' and @OTHERTYPE='SOFTWARE']").ToList();
        Rule("CSIP10", software.Count == 1, "one agent records the software that made the package");
        Rule("CSIP11", software.Count == 1, "the software agent has @ROLE='CREATOR'");
        Rule("CSIP12", software.Count == 1, "the software agent has @TYPE='OTHER'");
        Rule("CSIP13", software.Count == 1, "the software agent has @OTHERTYPE='SOFTWARE'");
        Rule("CSIP14", software.All(a => a.Elements(Mets + "name").Count() == 1 && !string.IsNullOrWhiteSpace(a.Element(Mets + "name")!.Value)), "the software agent has one name");
        Rule("CSIP15", software.All(a => a.Elements(Mets + "note").Count() == 1 && !string.IsNullOrWhiteSpace(a.Element(Mets + "note")!.Value)), "the software agent has one note with the software version");
        Rule("CSIP16", software.All(a => a.Elements(Mets + "note").All(n => Attr(n, "NOTETYPE", csip) == "SOFTWARE VERSION")), "the software agent's note has @csip:NOTETYPE='SOFTWARE VERSION'");
        foreach (var agent in All("/mets:mets/mets:metsHdr/mets:agent"))
        {
            var role = Attr(agent, "ROLE");
            var type = Attr(agent, "TYPE");
            var notes = agent.Elements(Mets + "note").ToList();
            switch (role, type)
            {
                case ("ARCHIVIST", _):
                    Rule("SIP11", type is "ORGANIZATION" or "INDIVIDUAL", "the archival creator agent is an ORGANIZATION or an INDIVIDUAL");
                    Rule("SIP12", !string.IsNullOrWhiteSpace(agent.Element(Mets + "name")?.Value), "the archival creator agent has a name");
                    Rule("SIP14", notes.All(n => Attr(n, "NOTETYPE", csip) == "IDENTIFICATIONCODE"), "the archival creator agent's note has @csip:NOTETYPE='IDENTIFICATIONCODE'");
                    break;
                case ("CREATOR", "ORGANIZATION"):
                    Rule("SIP18", !string.IsNullOrWhiteSpace(agent.Element(Mets + "name")?.Value), "the submitting agent has a name");
                    Rule("SIP20", notes.All(n => Attr(n, "NOTETYPE", csip) == "IDENTIFICATIONCODE"), "the submitting agent's note has @csip:NOTETYPE='IDENTIFICATIONCODE'");
                    break;
                case ("CREATOR", "INDIVIDUAL"):
                    Rule("SIP24", !string.IsNullOrWhiteSpace(agent.Element(Mets + "name")?.Value), "the contact person agent has a name");
                    break;
                case ("PRESERVATION", _):
                    Rule("SIP28", type == "ORGANIZATION", "the preservation agent is an ORGANIZATION");
                    Rule("SIP29", !string.IsNullOrWhiteSpace(agent.Element(Mets + "name")?.Value), "the preservation agent has a name");
                    Rule("SIP31", notes.All(n => Attr(n, "NOTETYPE", csip) == "IDENTIFICATIONCODE"), "the preservation agent's note has @csip:NOTETYPE='IDENTIFICATIONCODE'");
                    break;
            }
        }

        Rule("SIP15", All("/mets:mets/mets:metsHdr/mets:agent[@ROLE='CREATOR' and (@TYPE='ORGANIZATION' or @TYPE='INDIVIDUAL')]").Any(), "a submitting agent (ROLE='CREATOR', an ORGANIZATION or an INDIVIDUAL)");

        // Every file the METS points at (mdRef and FLocat): URL locator, simple link, relative href to a file that
        // exists, MIMETYPE, SIZE, CREATED, and a SHA-256 CHECKSUM that matches the file's bytes.
        void Reference(XElement holder, XElement locator, string where, (string Loc, string Link, string Href, string Mime, string Size, string Created, string Sum, string SumType) ids)
        {
            var href = Attr(locator, "href", SipLayout.XlinkNs);
            Rule(ids.Loc, Attr(locator, "LOCTYPE") == "URL", $"{where}: @LOCTYPE='URL'");
            Rule(ids.Link, Attr(locator, "type", SipLayout.XlinkNs) == "simple", $"{where}: @xlink:type='simple'");
            var path = href is null ? null : SipLayout.FromHref(href);
            var relative = href is not null && Uri.TryCreate(href, UriKind.Relative, out _) && !href.StartsWith('/') && !path!.Split('/').Contains("..");
            Rule(ids.Href, relative && File.Exists(Path.Combine(sip, path!)), $"{where}: @xlink:href \"{href}\" is a relative URL of a file in the package");
            Rule(ids.Mime, !string.IsNullOrWhiteSpace(Attr(holder, "MIMETYPE")), $"{where}: @MIMETYPE");
            Rule(ids.Created, DateTimeOffset.TryParse(Attr(holder, "CREATED"), CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"{where}: @CREATED date-time");
            Rule(ids.SumType, Attr(holder, "CHECKSUMTYPE") == SipLayout.ChecksumType, $"{where}: @CHECKSUMTYPE='SHA-256' (found \"{Attr(holder, "CHECKSUMTYPE")}\")");
            if (relative && File.Exists(Path.Combine(sip, path!)))
            {
                var bytes = File.ReadAllBytes(Path.Combine(sip, path!));
                Rule(ids.Size, Attr(holder, "SIZE") == bytes.Length.ToString(CultureInfo.InvariantCulture), $"{where}: @SIZE is the file's size in bytes");
                Rule(ids.Sum, string.Equals(Attr(holder, "CHECKSUM"), Convert.ToHexStringLower(SHA256.HashData(bytes)), StringComparison.OrdinalIgnoreCase), $"{where}: @CHECKSUM is the SHA-256 of the file");
            }
        }

        var dmd = All("/mets:mets/mets:dmdSec").ToList();
        Rule("CSIP17", dmd.Count > 0, "descriptive metadata is available, so dmdSec is used");
        foreach (var d in dmd)
        {
            Rule("CSIP18", !string.IsNullOrWhiteSpace(Attr(d, "ID")), "dmdSec/@ID");
            Rule("CSIP19", DateTimeOffset.TryParse(Attr(d, "CREATED"), CultureInfo.InvariantCulture, DateTimeStyles.None, out _), "dmdSec/@CREATED");
            Rule("CSIP20", Attr(d, "STATUS") is null or "CURRENT" or "SUPERSEDED", "dmdSec/@STATUS from the status vocabulary");
            foreach (var r in d.Elements(Mets + "mdRef"))
            {
                Rule("CSIP25", !string.IsNullOrWhiteSpace(Attr(r, "MDTYPE")), "dmdSec/mdRef/@MDTYPE");
                Reference(r, r, "dmdSec " + Attr(d, "ID"), ("CSIP22", "CSIP23", "CSIP24", "CSIP26", "CSIP27", "CSIP28", "CSIP29", "CSIP30"));
            }
        }

        var amd = All("/mets:mets/mets:amdSec").ToList();
        Rule("CSIP31", amd.Count == 1, "all administrative metadata in a single amdSec");
        var digiprov = All("/mets:mets/mets:amdSec/mets:digiprovMD").ToList();
        Rule("CSIP32", digiprov.Count > 0, "PREMIS is available, so one digiprovMD per PREMIS file");
        foreach (var d in digiprov)
        {
            Rule("CSIP33", !string.IsNullOrWhiteSpace(Attr(d, "ID")), "digiprovMD/@ID");
            Rule("CSIP34", Attr(d, "STATUS") is null or "CURRENT" or "SUPERSEDED", "digiprovMD/@STATUS from the status vocabulary");
            foreach (var r in d.Elements(Mets + "mdRef"))
            {
                Rule("CSIP39", !string.IsNullOrWhiteSpace(Attr(r, "MDTYPE")), "digiprovMD/mdRef/@MDTYPE");
                Reference(r, r, "digiprovMD " + Attr(d, "ID"), ("CSIP36", "CSIP37", "CSIP38", "CSIP40", "CSIP41", "CSIP42", "CSIP43", "CSIP44"));
            }
        }

        // File section.
        var fileSec = All("/mets:mets/mets:fileSec").ToList();
        Rule("CSIP58", fileSec.Count == 1, "a single fileSec");
        Rule("CSIP59", fileSec.All(f => !string.IsNullOrWhiteSpace(Attr(f, "ID"))), "fileSec/@ID");
        var groups = All("/mets:mets/mets:fileSec/mets:fileGrp").ToList();
        Rule("CSIP60", groups.Any(g => Attr(g, "USE") == "Documentation"), "a fileGrp with @USE='Documentation'");
        Rule("CSIP114", groups.Any(g => Attr(g, "USE")?.StartsWith("Representations", StringComparison.Ordinal) == true), "a fileGrp whose @USE starts with 'Representations'");
        foreach (var g in groups)
        {
            var use = Attr(g, "USE");
            Rule("CSIP64", use is "Documentation" or "Schemas" || use?.StartsWith("Representations/", StringComparison.Ordinal) == true, $"fileGrp/@USE \"{use}\" names the folder structure");
            Rule("CSIP65", !string.IsNullOrWhiteSpace(Attr(g, "ID")), $"fileGrp {use}: @ID");
            Rule("CSIP66", g.Elements(Mets + "file").Any(), $"fileGrp {use}: has files");
            if (use?.StartsWith("Representations", StringComparison.Ordinal) == true)
            {
                Rule("CSIP62", Attr(g, "CONTENTINFORMATIONTYPE", csip) is not null, $"fileGrp {use}: a representation's group states @csip:CONTENTINFORMATIONTYPE");
                Rule("CSIP63", Attr(g, "CONTENTINFORMATIONTYPE", csip) != "OTHER" || !string.IsNullOrWhiteSpace(Attr(g, "OTHERCONTENTINFORMATIONTYPE", csip)), $"fileGrp {use}: 'OTHER' needs @csip:OTHERCONTENTINFORMATIONTYPE");
            }

            foreach (var f in g.Elements(Mets + "file"))
            {
                var where = $"file {Attr(f, "ID")}";
                Rule("CSIP67", !string.IsNullOrWhiteSpace(Attr(f, "ID")), where + ": @ID");
                var locators = f.Elements(Mets + "FLocat").ToList();
                Rule("CSIP76", locators.Count == 1, where + ": one FLocat");
                foreach (var l in locators)
                {
                    Reference(f, l, where, ("CSIP77", "CSIP78", "CSIP79", "CSIP68", "CSIP69", "CSIP70", "CSIP71", "CSIP72"));
                }

                // The file group's USE is "the name of the whole folder structure to the data" (CSIP64), capitalised as
                // the specification's own examples do: USE "Documentation" for documentation/, "Representations/rep1"
                // for representations/rep1/ (CSIPSTR9, CSIPSTR15, CSIPSTR16 name the folders).
                var href = Attr(locators.FirstOrDefault(), "href", SipLayout.XlinkNs);
                if (href is not null && use is not null)
                {
                    Rule("CSIP64", SipLayout.FromHref(href).StartsWith(use.ToLowerInvariant() + "/", StringComparison.Ordinal), $"{where}: {href} lies under the folder {use.ToLowerInvariant()}/ its group's USE names");
                }
            }
        }

        // Every file of the package but METS.xml (and its seal) is described by the METS: no file is left out.
        var described = All("//mets:FLocat | //mets:mdRef").Select(e => SipLayout.FromHref(Attr(e, "href", SipLayout.XlinkNs)!)).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(sip, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(sip, p).Replace('\\', '/')))
        {
            Rule("CSIP58", file is SipLayout.Mets or SipLayout.MetsSeal || described.Contains(file), $"{file} is referenced from the METS");
        }

        // Structural map.
        var ids = All("//*[@ID]").Select(e => Attr(e, "ID")!).ToList();
        var structMaps = All("/mets:mets/mets:structMap[@LABEL='CSIP']").ToList();
        Rule("CSIP80", All("/mets:mets/mets:structMap").Any(), "a structMap");
        Rule("CSIP82", structMaps.Count == 1, "exactly one structMap with @LABEL='CSIP'");
        var map = structMaps.FirstOrDefault();
        Rule("CSIP81", Attr(map, "TYPE") == "PHYSICAL", "the CSIP structMap has @TYPE='PHYSICAL'");
        Rule("CSIP83", !string.IsNullOrWhiteSpace(Attr(map, "ID")), "the CSIP structMap has an @ID");
        var top = map?.Elements(Mets + "div").ToList() ?? [];
        Rule("CSIP84", top.Count == 1, "the CSIP structMap has a single div");
        var root = top.FirstOrDefault();
        Rule("CSIP85", !string.IsNullOrWhiteSpace(Attr(root, "ID")), "the package div has an @ID");
        var divs = root?.Elements(Mets + "div").ToList() ?? [];
        Rule("CSIP106", divs.All(d => !string.IsNullOrWhiteSpace(Attr(d, "ID"))), "every division has an @ID");
        var metadata = divs.Where(d => Attr(d, "LABEL") == "Metadata").ToList();
        Rule("CSIP88", metadata.Count == 1, "one Metadata division");
        Rule("CSIP90", divs.Count(d => Attr(d, "DMDID") is not null || Attr(d, "ADMID") is not null) == metadata.Count, "the division pointing at the metadata sections is labelled 'Metadata'");
        Rule("CSIP89", metadata.All(d => !string.IsNullOrWhiteSpace(Attr(d, "ID"))), "the Metadata division has an @ID");
        var dmdIds = (Attr(metadata.FirstOrDefault(), "DMDID") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var admIds = (Attr(metadata.FirstOrDefault(), "ADMID") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        Rule("CSIP92", dmd.Where(d => Attr(d, "STATUS") is null or "CURRENT").All(d => dmdIds.Contains(Attr(d, "ID")!)), "the Metadata division references every current dmdSec");
        Rule("CSIP91", digiprov.Where(d => Attr(d, "STATUS") is null or "CURRENT").All(d => admIds.Contains(Attr(d, "ID")!)), "the Metadata division references every current digiprovMD");
        var groupIds = groups.Select(g => Attr(g, "ID")).ToHashSet(StringComparer.Ordinal);
        void Division(string label, string labelId, string idId, string pointerId, string use)
        {
            var div = divs.Where(d => Attr(d, "LABEL") == label).ToList();
            Rule(labelId, div.Count == 1, $"one division labelled {label}");
            Rule(idId, div.All(d => !string.IsNullOrWhiteSpace(Attr(d, "ID"))), $"the {label} division has an @ID");
            var pointers = div.SelectMany(d => d.Elements(Mets + "fptr")).Select(p => Attr(p, "FILEID")).ToList();
            var wanted = groups.Where(g => Attr(g, "USE") == use || (use == "Representations" && Attr(g, "USE")!.StartsWith("Representations", StringComparison.Ordinal))).Select(g => Attr(g, "ID")).ToList();
            Rule(pointerId, pointers.Count > 0 && pointers.All(groupIds.Contains) && wanted.All(pointers.Contains), $"the {label} division points (fptr/@FILEID) at the {use} file group(s) {string.Join(", ", wanted)}, one per fptr (found {string.Join(", ", pointers)})");
        }

        if (groups.Any(g => Attr(g, "USE") == "Documentation"))
        {
            Division("Documentation", "CSIP95", "CSIP94", "CSIP116", "Documentation");
        }

        if (groups.Any(g => Attr(g, "USE") == "Schemas"))
        {
            Division("Schemas", "CSIP99", "CSIP98", "CSIP118", "Schemas");
        }

        // Without representation METS files the content is one division "Representations" (CSIP101-104, 119); with
        // them, one division per representation pointing at its METS (CSIP105-112).
        var representationMets = Directory.EnumerateDirectories(Path.Combine(sip, "representations")).Any(r => File.Exists(Path.Combine(r, SipLayout.Mets)));
        if (!representationMets)
        {
            Division("Representations", "CSIP103", "CSIP102", "CSIP119", "Representations");
        }
        else
        {
            foreach (var d in divs.Where(d => Attr(d, "LABEL")?.StartsWith("Representations/", StringComparison.Ordinal) == true))
            {
                var mptr = d.Elements(Mets + "mptr").ToList();
                Rule("CSIP109", mptr.Count == 1, $"{Attr(d, "LABEL")}: one mptr");
                Rule("CSIP110", mptr.All(m => File.Exists(Path.Combine(sip, SipLayout.FromHref(Attr(m, "href", SipLayout.XlinkNs) ?? "-")))), $"{Attr(d, "LABEL")}: mptr/@xlink:href names the representation METS");
                Rule("CSIP111", mptr.All(m => Attr(m, "type", SipLayout.XlinkNs) == "simple"), $"{Attr(d, "LABEL")}: mptr/@xlink:type='simple'");
                Rule("CSIP112", mptr.All(m => Attr(m, "LOCTYPE") == "URL"), $"{Attr(d, "LABEL")}: mptr/@LOCTYPE='URL'");
            }
        }

        Rule("CSIP18", ids.Count == ids.Distinct(StringComparer.Ordinal).Count(), "every @ID is unique within the document");
        return failures;
    }

    private static readonly XNamespace Mets = SipLayout.MetsNs;

    private static XmlNamespaceManager Namespaces()
    {
        var ns = new XmlNamespaceManager(new NameTable());
        ns.AddNamespace("mets", SipLayout.MetsNs);
        ns.AddNamespace("xlink", SipLayout.XlinkNs);
        ns.AddNamespace("csip", SipLayout.CsipNs);
        return ns;
    }

    /// <summary>A transfer of three permanent record files (one with two documents, each with content) of one commune.</summary>
    private static async Task<string> ExportAsync(ArchiveHarness h)
    {
        var ct = TestContext.Current.CancellationToken;
        await h.SeedQuangNamCommunesAsync();
        var first = await h.FileAsync("P-TAMXUAN", "01.VP", 2015, "Hồ sơ hội nghị tổng kết năm 2015", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(60_000), "Báo cáo tổng kết.jpg");
        await h.FileAsync("P-TAMXUAN", "02.QS", 2016, "Hồ sơ công tác quân sự năm 2016", RetentionPeriod.Permanent, AccessLevel.Secret, RandomNumberGenerator.GetBytes(3_000), "Mật & riêng (bản 1).jpg");
        await h.FileAsync("P-TAMXUAN", "04.VP", 2017, "Hồ sơ đặt tên đường năm 2017", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(9_000), "Tờ trình.pdf");
        var file = (await h.Files.GetAsync(first, ct))!;
        var doc = await h.Files.AddDocumentAsync(first, ArchiveHarness.DocInput(number: "06", subject: "Về việc tổng kết công tác năm 2015", year: 2015), file.Version, ArchiveHarness.User, ct);
        await h.Files.AddContentAsync(first, 2, new ContentUpload { FileName = "Biên bản hội nghị.jpg", Content = new MemoryStream(RandomNumberGenerator.GetBytes(20_000)) }, doc.Stored.Version, ArchiveHarness.User, ct);

        var folder = Path.Combine(h.DataPath, "sip");
        var sip = await h.Transfer().ExportToFolderAsync(
            new TransferRequest { SubmittingAgencyId = XaTamXuan, ArchivesAgencyId = LuuTruLichSu, ArchivesName = "Lưu trữ lịch sử tỉnh Quảng Nam", AsOf = TransferDate },
            folder,
            ArchiveHarness.User,
            cancellationToken: ct);
        Assert.Equal(3, sip.Catalogue.Files.Count);
        return folder;
    }

    /// <summary>
    /// A driver schema importing METS and the two E-ARK extension schemas from <paramref name="schemas"/> (so that the
    /// lax wildcards of METS validate the csip:/sip: attributes), and a catalog mapping mets.xsd's http import of
    /// XLink to the local xlink.xsd.
    /// </summary>
    private static (string Driver, string Catalog) WriteDriver(string work, string schemas)
    {
        string Uri(string file) => new Uri(Path.Combine(schemas, file)).AbsoluteUri;
        var xs = XNamespace.Get("http://www.w3.org/2001/XMLSchema");
        var driver = Path.Combine(work, "sip-driver.xsd");
        new XDocument(new XElement(
            xs + "schema",
            new XAttribute(XNamespace.Xmlns + "xs", xs.NamespaceName),
            new XElement(xs + "import", new XAttribute("namespace", SipLayout.MetsNs), new XAttribute("schemaLocation", Uri("mets.xsd"))),
            new XElement(xs + "import", new XAttribute("namespace", SipLayout.CsipNs), new XAttribute("schemaLocation", Uri("DILCISExtensionMETS.xsd"))),
            new XElement(xs + "import", new XAttribute("namespace", SipLayout.SipNs), new XAttribute("schemaLocation", Uri("DILCISExtensionSIPMETS.xsd"))))).Save(driver);
        var cat = XNamespace.Get("urn:oasis:names:tc:entity:xmlns:xml:catalog");
        var catalog = Path.Combine(work, "catalog.xml");
        new XDocument(new XElement(
            cat + "catalog",
            new XElement(cat + "uri", new XAttribute("name", XlinkSchemaUrl), new XAttribute("uri", Uri("xlink.xsd"))),
            new XElement(cat + "system", new XAttribute("systemId", XlinkSchemaUrl), new XAttribute("uri", Uri("xlink.xsd"))))).Save(catalog);
        return (driver, catalog);
    }

    private static async Task<(int Code, string Output)> XmllintAsync(string xmllint, string driver, string catalog, string document, CancellationToken ct)
    {
        var start = new ProcessStartInfo(xmllint) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--noout", "--nonet", "--schema", driver, document })
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["XML_CATALOG_FILES"] = catalog;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// The schema folder: <c>ARCHIVE_SIP_SCHEMAS</c>, else <c>shared/schemas/sip</c> in the nearest folder above the test
    /// binaries that has one (CI lays shared/ beside the checkout; sessions have it above the work trees).
    /// </summary>
    private static string? SchemaFolder()
    {
        bool Complete(string dir) => Schemas.All(s => File.Exists(Path.Combine(dir, s.File)));
        if (Environment.GetEnvironmentVariable(SchemaFolderVariable) is { Length: > 0 } configured)
        {
            return Complete(configured) ? Path.GetFullPath(configured) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "schemas", "sip");
            if (Complete(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
