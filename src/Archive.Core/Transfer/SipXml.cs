using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml;
using Archive.Records;

namespace Archive.Transfer;

/// <summary>Writes the package's XML (METS, PREMIS, Dublin Core) with <see cref="XmlWriter"/>, streamed, namespace-correct.</summary>
internal static class SipXml
{
    private const string Software = "Archive";

    /// <summary>The E-ARK SIP profile this package follows (requirement SIP2 of E-ARK SIP 2.2.0).</summary>
    private const string SipProfile = "https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml";

    /// <summary>The content information type, declared for the package and for its representation (CSIP4/5, CSIP62/63).</summary>
    private const string OtherContentInformationType = "Decree30-2020-Circular05-2025";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        NamespaceHandling = NamespaceHandling.OmitDuplicates,
        CheckCharacters = true,
    };

    private static string Version => typeof(SipXml).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    public static byte[] DublinCore(RecordFile file, string creatorName, Fonds fonds)
    {
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, Settings))
        {
            w.WriteStartDocument();
            WriteDublinCore(w, file, creatorName, fonds);
            w.WriteEndDocument();
        }

        return ms.ToArray();
    }

    /// <summary>
    /// The record file's Dublin Core description (<c>oai_dc:dc</c>) as one element, for the submission package and for
    /// the XML of a record file export (<see cref="Archive.Registers.RecordExportService"/>).
    /// </summary>
    public static void WriteDublinCore(XmlWriter w, RecordFile file, string creatorName, Fonds fonds)
    {
        const string oai = "http://www.openarchives.org/OAI/2.0/oai_dc/";
        w.WriteStartElement("oai_dc", "dc", oai);
        w.WriteAttributeString("xmlns", "dc", null, SipLayout.DcNs);
        void Dc(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                w.WriteElementString("dc", name, SipLayout.DcNs, value);
            }
        }

        Dc("identifier", file.FileCode);
        Dc("title", file.Title);
        Dc("creator", creatorName);
        Dc("contributor", file.Creator);
        foreach (var k in file.Keywords)
        {
            Dc("subject", k);
        }

        Dc("description", file.Description);
        Dc("date", (file.StartDate, file.EndDate) switch
        {
            ({ } s, { } e) => s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "/" + e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ({ } s, null) => s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            (null, { } e) => e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => file.FileCatalog.ToString(CultureInfo.InvariantCulture),
        });
        Dc("type", "Hồ sơ");
        Dc("language", file.Language);
        Dc("rights", TransferService.AccessText(file.Rights));
        Dc("relation", "Phông " + fonds.Code + ": " + fonds.Name);
        Dc("coverage", "Thời hạn lưu trữ: " + file.Maintenance.ToVietnamese());
        w.WriteEndElement();
    }

    public static void WritePremis(string path, string transferId, TransferParty submitting, TransferParty archives, ArchiveUser user, IReadOnlyList<SipFile> entries, IReadOnlyList<RecordFile> files, IReadOnlyDictionary<string, IReadOnlyList<VersionInfo>> history, DateTimeOffset now)
    {
        const string p = "premis";
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 65536);
        using var w = XmlWriter.Create(stream, Settings);
        w.WriteStartDocument();
        w.WriteStartElement(p, "premis", SipLayout.PremisNs);
        w.WriteAttributeString("xmlns", "xsi", null, SipLayout.XsiNs);
        w.WriteAttributeString("version", "3.0");

        void Identifier(string element, string type, string value)
        {
            w.WriteStartElement(p, element, SipLayout.PremisNs);
            w.WriteElementString(p, element + "Type", SipLayout.PremisNs, type);
            w.WriteElementString(p, element + "Value", SipLayout.PremisNs, value);
            w.WriteEndElement();
        }

        // Objects: one intellectual entity per record file, one file object per content file, with fixity.
        foreach (var f in files)
        {
            w.WriteStartElement(p, "object", SipLayout.PremisNs);
            w.WriteAttributeString("xsi", "type", SipLayout.XsiNs, "premis:intellectualEntity");
            Identifier("objectIdentifier", "Mã hồ sơ", f.FileCode);
            w.WriteEndElement();
        }

        foreach (var e in entries.Where(e => e.Use == SipFileUse.Content))
        {
            w.WriteStartElement(p, "object", SipLayout.PremisNs);
            w.WriteAttributeString("xsi", "type", SipLayout.XsiNs, "premis:file");
            Identifier("objectIdentifier", "local", e.Path);
            w.WriteStartElement(p, "objectCharacteristics", SipLayout.PremisNs);
            w.WriteElementString(p, "compositionLevel", SipLayout.PremisNs, "0");
            w.WriteStartElement(p, "fixity", SipLayout.PremisNs);
            w.WriteElementString(p, "messageDigestAlgorithm", SipLayout.PremisNs, SipLayout.ChecksumType);
            w.WriteElementString(p, "messageDigest", SipLayout.PremisNs, e.Sha256);
            w.WriteElementString(p, "messageDigestOriginator", SipLayout.PremisNs, Software);
            w.WriteEndElement();
            w.WriteElementString(p, "size", SipLayout.PremisNs, e.Size.ToString(CultureInfo.InvariantCulture));
            w.WriteStartElement(p, "format", SipLayout.PremisNs);
            w.WriteStartElement(p, "formatDesignation", SipLayout.PremisNs);
            w.WriteElementString(p, "formatName", SipLayout.PremisNs, e.MediaType);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteElementString(p, "originalName", SipLayout.PremisNs, e.Path[(e.Path.LastIndexOf('/') + 1)..]);
            w.WriteStartElement(p, "relationship", SipLayout.PremisNs);
            w.WriteElementString(p, "relationshipType", SipLayout.PremisNs, "structural");
            w.WriteElementString(p, "relationshipSubType", SipLayout.PremisNs, "is included in");
            w.WriteStartElement(p, "relatedObjectIdentifier", SipLayout.PremisNs);
            w.WriteElementString(p, "relatedObjectIdentifierType", SipLayout.PremisNs, "Mã hồ sơ");
            w.WriteElementString(p, "relatedObjectIdentifierValue", SipLayout.PremisNs, e.FileCode);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }

        // Events: creation of each record file in the agency's records system, ingestion of each content file into the
        // agency archive, fixity verification while packaging, and the transfer itself.
        var n = 0;
        void Event(string type, DateTimeOffset when, string detail, string agentId, IEnumerable<(string Type, string Value)> objects)
        {
            w.WriteStartElement(p, "event", SipLayout.PremisNs);
            Identifier("eventIdentifier", "local", SipLayout.Id("event", ++n));
            w.WriteElementString(p, "eventType", SipLayout.PremisNs, type);
            w.WriteElementString(p, "eventDateTime", SipLayout.PremisNs, SipLayout.Timestamp(when));
            w.WriteStartElement(p, "eventDetailInformation", SipLayout.PremisNs);
            w.WriteElementString(p, "eventDetail", SipLayout.PremisNs, detail);
            w.WriteEndElement();
            w.WriteStartElement(p, "eventOutcomeInformation", SipLayout.PremisNs);
            w.WriteElementString(p, "eventOutcome", SipLayout.PremisNs, "success");
            w.WriteEndElement();
            w.WriteStartElement(p, "linkingAgentIdentifier", SipLayout.PremisNs);
            w.WriteElementString(p, "linkingAgentIdentifierType", SipLayout.PremisNs, "local");
            w.WriteElementString(p, "linkingAgentIdentifierValue", SipLayout.PremisNs, agentId);
            w.WriteEndElement();
            foreach (var (t, v) in objects)
            {
                w.WriteStartElement(p, "linkingObjectIdentifier", SipLayout.PremisNs);
                w.WriteElementString(p, "linkingObjectIdentifierType", SipLayout.PremisNs, t);
                w.WriteElementString(p, "linkingObjectIdentifierValue", SipLayout.PremisNs, v);
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        foreach (var f in files)
        {
            if (history.TryGetValue(f.FileCode, out var versions) && versions.Count > 0)
            {
                Event("creation", versions[0].Created, $"Hồ sơ {f.FileCode} được lập trong hệ thống ({versions[0].Message}).", "agent-submitter", [("Mã hồ sơ", f.FileCode)]);
            }
        }

        foreach (var e in entries.Where(e => e.Use == SipFileUse.Content))
        {
            Event("ingestion", e.Created, "Tệp được đưa vào lưu trữ hiện hành của cơ quan, mã kiểm tra SHA-256 được tính khi nhận.", "agent-submitter", [("local", e.Path)]);
        }

        Event("fixity check", now, "Mã SHA-256 của mọi tệp được kiểm tra lại với gói lưu trữ khi lập gói nộp lưu.", "agent-software", entries.Where(e => e.Use == SipFileUse.Content).Select(e => ("local", e.Path)));
        Event("transfer", now, $"Nộp lưu gói {transferId} từ {submitting.Name} ({submitting.AgencyId}) vào {archives.Name} ({archives.AgencyId}); người lập: {user.Name}.", "agent-submitter", files.Select(f => ("Mã hồ sơ", f.FileCode)));

        void Agent(string id, string name, string type, string? note)
        {
            w.WriteStartElement(p, "agent", SipLayout.PremisNs);
            Identifier("agentIdentifier", "local", id);
            w.WriteElementString(p, "agentName", SipLayout.PremisNs, name);
            w.WriteElementString(p, "agentType", SipLayout.PremisNs, type);
            if (note is not null)
            {
                w.WriteElementString(p, "agentNote", SipLayout.PremisNs, note);
            }

            w.WriteEndElement();
        }

        Agent("agent-submitter", submitting.Name, "organization", "Mã định danh: " + submitting.AgencyId + "; người lập gói: " + user.Name);
        Agent("agent-archives", archives.Name, "organization", "Mã định danh: " + archives.AgencyId);
        Agent("agent-software", Software + " " + Version, "software", null);
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    public static void WriteMets(string path, string transferId, TransferParty submitting, TransferParty archives, ArchiveUser user, IReadOnlyList<SipFile> entries, IReadOnlyList<RecordFile> files, DateTimeOffset now)
    {
        const string m = "mets";
        var ns = SipLayout.MetsNs;
        using var stream = new FileStream(path + ".part", FileMode.Create, FileAccess.Write, FileShare.None, 65536);
        using (var w = XmlWriter.Create(stream, Settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement(m, "mets", ns);
            w.WriteAttributeString("xmlns", "xlink", null, SipLayout.XlinkNs);
            w.WriteAttributeString("xmlns", "csip", null, SipLayout.CsipNs);
            w.WriteAttributeString("xmlns", "sip", null, SipLayout.SipNs);
            w.WriteAttributeString("xmlns", "xsi", null, SipLayout.XsiNs);
            w.WriteAttributeString("OBJID", transferId);
            w.WriteAttributeString("LABEL", $"Nộp lưu tài liệu của {submitting.Name} vào {archives.Name}");
            w.WriteAttributeString("TYPE", "OTHER");
            w.WriteAttributeString("csip", "OTHERTYPE", SipLayout.CsipNs, "Hồ sơ lưu trữ vĩnh viễn (Thông tư 05/2025/TT-BNV)");
            w.WriteAttributeString("csip", "CONTENTINFORMATIONTYPE", SipLayout.CsipNs, "OTHER");
            w.WriteAttributeString("csip", "OTHERCONTENTINFORMATIONTYPE", SipLayout.CsipNs, OtherContentInformationType);
            w.WriteAttributeString("PROFILE", SipProfile);

            // Header: who made the package, for whom.
            w.WriteStartElement(m, "metsHdr", ns);
            w.WriteAttributeString("CREATEDATE", SipLayout.Timestamp(now));
            w.WriteAttributeString("RECORDSTATUS", "NEW");
            w.WriteAttributeString("csip", "OAISPACKAGETYPE", SipLayout.CsipNs, "SIP");
            void Agent(string role, string type, string? otherType, string name, string? note, string? noteType)
            {
                w.WriteStartElement(m, "agent", ns);
                w.WriteAttributeString("ROLE", role);
                w.WriteAttributeString("TYPE", type);
                if (otherType is not null)
                {
                    w.WriteAttributeString("OTHERTYPE", otherType);
                }

                w.WriteElementString(m, "name", ns, name);
                if (note is not null)
                {
                    w.WriteStartElement(m, "note", ns);
                    w.WriteAttributeString("csip", "NOTETYPE", SipLayout.CsipNs, noteType);
                    w.WriteString(note);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            // The software (CSIP10-16), the archival creator (SIP9-14), the submitting agent (SIP15-20), the
            // preservation agent (SIP26-31) and the contact person (SIP21-24: ROLE CREATOR, TYPE INDIVIDUAL; METS'
            // ROLE list has no SUBMITTER).
            Agent("CREATOR", "OTHER", "SOFTWARE", Software, Version, "SOFTWARE VERSION");
            Agent("ARCHIVIST", "ORGANIZATION", null, submitting.Name, submitting.AgencyId, "IDENTIFICATIONCODE");
            Agent("CREATOR", "ORGANIZATION", null, submitting.Name, submitting.AgencyId, "IDENTIFICATIONCODE");
            Agent("PRESERVATION", "ORGANIZATION", null, archives.Name, archives.AgencyId, "IDENTIFICATIONCODE");
            Agent("CREATOR", "INDIVIDUAL", null, user.Name, null, null);
            w.WriteEndElement();

            // Metadata sections, each referring to its file with size and checksum.
            var ids = new Dictionary<SipFile, string>();
            var n = 0;
            void MdRef(SipFile e, string mdType, string? otherMdType)
            {
                w.WriteStartElement(m, "mdRef", ns);
                w.WriteAttributeString("LOCTYPE", "URL");
                w.WriteAttributeString("xlink", "type", SipLayout.XlinkNs, "simple");
                w.WriteAttributeString("xlink", "href", SipLayout.XlinkNs, SipLayout.Href(e.Path));
                w.WriteAttributeString("MDTYPE", mdType);
                if (otherMdType is not null)
                {
                    w.WriteAttributeString("OTHERMDTYPE", otherMdType);
                }

                FileAttributes(w, e);
                w.WriteEndElement();
            }

            foreach (var e in entries.Where(e => e.Use is SipFileUse.DescriptiveJson or SipFileUse.DescriptiveDc))
            {
                var id = SipLayout.Id("dmd", ++n);
                ids[e] = id;
                w.WriteStartElement(m, "dmdSec", ns);
                w.WriteAttributeString("ID", id);
                w.WriteAttributeString("CREATED", SipLayout.Timestamp(e.Created));
                w.WriteAttributeString("STATUS", "CURRENT");
                MdRef(e, e.Use == SipFileUse.DescriptiveDc ? "DC" : "OTHER", e.Use == SipFileUse.DescriptiveDc ? null : "JSON");
                w.WriteEndElement();
            }

            w.WriteStartElement(m, "amdSec", ns);
            foreach (var e in entries.Where(e => e.Use == SipFileUse.Preservation))
            {
                var id = SipLayout.Id("premis", ++n);
                ids[e] = id;
                w.WriteStartElement(m, "digiprovMD", ns);
                w.WriteAttributeString("ID", id);
                w.WriteAttributeString("STATUS", "CURRENT");
                MdRef(e, "PREMIS", null);
                w.WriteEndElement();
            }

            w.WriteEndElement();

            // Files: documentation and the representation's content.
            w.WriteStartElement(m, "fileSec", ns);
            w.WriteAttributeString("ID", "filesec");
            void Group(string id, string use, bool representation, IEnumerable<SipFile> group)
            {
                w.WriteStartElement(m, "fileGrp", ns);
                w.WriteAttributeString("ID", id);
                w.WriteAttributeString("USE", use);
                if (representation)
                {
                    w.WriteAttributeString("csip", "CONTENTINFORMATIONTYPE", SipLayout.CsipNs, "OTHER");
                    w.WriteAttributeString("csip", "OTHERCONTENTINFORMATIONTYPE", SipLayout.CsipNs, OtherContentInformationType);
                }

                foreach (var e in group)
                {
                    var fid = SipLayout.Id("file", ++n);
                    ids[e] = fid;
                    w.WriteStartElement(m, "file", ns);
                    w.WriteAttributeString("ID", fid);
                    FileAttributes(w, e);
                    w.WriteStartElement(m, "FLocat", ns);
                    w.WriteAttributeString("LOCTYPE", "URL");
                    w.WriteAttributeString("xlink", "type", SipLayout.XlinkNs, "simple");
                    w.WriteAttributeString("xlink", "href", SipLayout.XlinkNs, SipLayout.Href(e.Path));
                    w.WriteEndElement();
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            }

            Group(DocumentationGroup, "Documentation", false, entries.Where(e => e.Use == SipFileUse.Documentation));
            Group(RepresentationGroup, "Representations/rep1", true, entries.Where(e => e.Use == SipFileUse.Content));
            w.WriteEndElement();

            // Structure: the CSIP structMap exactly as CSIP80-104 and CSIP116/119 describe it (one package div with the
            // Metadata, Documentation and Representations divisions, each division pointing at its file group; no
            // representation METS, so the content is one "Representations" division), then our own logical map with
            // one div per record file (CSIP80 allows further structMaps).
            w.WriteStartElement(m, "structMap", ns);
            w.WriteAttributeString("ID", "structmap-csip");
            w.WriteAttributeString("TYPE", "PHYSICAL");
            w.WriteAttributeString("LABEL", "CSIP");
            w.WriteStartElement(m, "div", ns);
            w.WriteAttributeString("ID", "div-root");
            w.WriteAttributeString("LABEL", transferId);
            w.WriteStartElement(m, "div", ns);
            w.WriteAttributeString("ID", "div-metadata");
            w.WriteAttributeString("LABEL", "Metadata");
            w.WriteAttributeString("DMDID", string.Join(' ', entries.Where(e => e.Use is SipFileUse.DescriptiveJson or SipFileUse.DescriptiveDc).Select(e => ids[e])));
            w.WriteAttributeString("ADMID", string.Join(' ', entries.Where(e => e.Use == SipFileUse.Preservation).Select(e => ids[e])));
            w.WriteEndElement();
            w.WriteStartElement(m, "div", ns);
            w.WriteAttributeString("ID", "div-documentation");
            w.WriteAttributeString("LABEL", "Documentation");
            Fptr(w, DocumentationGroup);
            w.WriteEndElement();
            w.WriteStartElement(m, "div", ns);
            w.WriteAttributeString("ID", "div-representations");
            w.WriteAttributeString("LABEL", "Representations");
            Fptr(w, RepresentationGroup);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement(m, "structMap", ns);
            w.WriteAttributeString("ID", "structmap-records");
            w.WriteAttributeString("TYPE", "LOGICAL");
            w.WriteAttributeString("LABEL", "Hồ sơ nộp lưu");
            w.WriteStartElement(m, "div", ns);
            w.WriteAttributeString("ID", "div-records");
            w.WriteAttributeString("LABEL", transferId);
            var k = 0;
            foreach (var f in files)
            {
                w.WriteStartElement(m, "div", ns);
                w.WriteAttributeString("ID", SipLayout.Id("div-file", ++k));
                w.WriteAttributeString("LABEL", f.FileCode);
                var dmd = entries.Where(e => e.FileCode == f.FileCode && e.Use is SipFileUse.DescriptiveJson or SipFileUse.DescriptiveDc).Select(e => ids[e]).ToList();
                if (dmd.Count > 0)
                {
                    w.WriteAttributeString("DMDID", string.Join(' ', dmd));
                }

                foreach (var e in entries.Where(e => e.FileCode == f.FileCode && e.Use == SipFileUse.Content))
                {
                    Fptr(w, ids[e]);
                }

                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        stream.Flush(flushToDisk: true);
        stream.Dispose();
        File.Move(path + ".part", path, overwrite: true);

        static void Fptr(XmlWriter w, string id)
        {
            w.WriteStartElement("mets", "fptr", SipLayout.MetsNs);
            w.WriteAttributeString("FILEID", id);
            w.WriteEndElement();
        }
    }

    private const string DocumentationGroup = "grp-documentation";

    private const string RepresentationGroup = "grp-rep1";

    private static void FileAttributes(XmlWriter w, SipFile e)
    {
        w.WriteAttributeString("MIMETYPE", e.MediaType);
        w.WriteAttributeString("SIZE", e.Size.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("CREATED", SipLayout.Timestamp(e.Created));
        w.WriteAttributeString("CHECKSUM", e.Sha256);
        w.WriteAttributeString("CHECKSUMTYPE", SipLayout.ChecksumType);
    }
}
