// The built-in document templates: what the issue form asks for and how the verify page lays a
// document out. A document names its template in `$template.name`, as TradeTrust's do; a W3C
// credential in its renderMethod's `templateName`, its claims in the vocabulary of TrustVC's
// context for its kind (each template's `w3c`), so that TrustVC signs and verifies it too.

// What each kind of field accepts; `check` answers the problem, or null.
const KINDS = {
  text: { check: (v) => (v.length > 500 ? "at most 500 characters" : null) },
  date: {
    input: "date",
    check: (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? null : "a date, as 2026-11-23"),
  },
  number: { input: "number", check: (v) => (Number.isFinite(Number(v)) && Number(v) >= 0 ? null : "a number, 0 or more") },
  count: { input: "number", check: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? null : "a whole number, 1 or more") },
  country: { check: (v) => (/^[A-Z]{2}$/.test(v) ? null : "a two-letter country code (ISO 3166), as SG") },
  locode: { check: (v) => (/^[A-Z]{2}[A-Z2-9]{3}$/.test(v) ? null : "a UN/LOCODE: country and place, as SGSIN") },
  hs: { check: (v) => (/^\d{4}(\.\d{2}(\d{2})?)?$/.test(v) ? null : "an HS code, as 0810.60") },
  currency: { check: (v) => (/^[A-Z]{3}$/.test(v) ? null : "a currency code (ISO 4217), as USD") },
  yesno: { input: "checkbox", check: () => null },
};

const f = (path, label, kind = "text", required = false) => ({ path, label, kind, required });
const party = (path, who, required) => [
  f(`${path}.name`, `${who}: name`, "text", required),
  f(`${path}.address.street`, `${who}: street`),
  f(`${path}.address.city`, `${who}: city`),
  f(`${path}.address.country`, `${who}: country`, "country"),
];

// What the reference's templates name alike in both formats: a carrier's bill of lading's
// shipment and issue, a warehouse receipt's place and goods.
const CARRIER_SHIPMENT = { heading: "Shipment", fields: [
  f("blNumber", "B/L number", "text", true), f("scac", "Carrier code (SCAC)"), f("carrierName", "Carrier"),
  f("vessel", "Vessel", "text", true), f("voyageNo", "Voyage"), f("placeOfReceipt", "Place of receipt"),
  f("portOfLoading", "Port of loading", "text", true), f("portOfDischarge", "Port of discharge", "text", true),
  f("placeOfDelivery", "Place of delivery"), f("onwardInlandRouting", "Onward inland routing"),
] };
const CARRIER_ISSUE = { heading: "Issue", fields: [
  f("carrierReceipt", "Carrier's receipt"), f("placeOfIssueBL", "Place of issue"),
  f("numberOfOriginalBL", "Number of originals"), f("dateOfIssueBL", "Date of issue"),
  f("shippedOnBoardDate", "Shipped on board"),
] };
const WAREHOUSE_PLACE = { heading: "Warehouse", fields: [
  f("warehouseAddress", "Warehouse address"), f("markings", "Markings and remarks"),
  f("totalNetWeight", "Total net weight (t)"), f("storageAndServicesTerms", "Storage and services terms"),
] };
const WAREHOUSE_GOODS = { path: "goods", heading: "Goods", columns: [
  f("brand", "Brand or shape", "text", true), f("piles", "Piles"), f("bundles", "Bundles"), f("pieces", "Pieces"),
  f("netWeight", "Net weight (t)", "text", true), f("grossWeight", "Gross weight (t)"),
] };

// A promissory note's fields have the same names in both formats: the reference's templates
// keep them flat.
const noteParty = (who, label) => [
  f(`${who}CompanyName`, `${label}: company`, "text", true), f(`${who}CompanyNo`, `${label}: company number or LEI`),
  f(`${who}Jurisdiction`, `${label}: jurisdiction`), f(`${who}Email`, `${label}: email`),
  f(`${who}WalletAddress`, `${label}: wallet address`),
];
const NOTE_LAYOUT = {
  sections: [
    { heading: "Note", fields: [f("pNoteId", "Reference", "text", true), f("commitmentDate", "Committed on", "text", true)] },
    { heading: "Drawer", fields: [...noteParty("drawer", "Drawer"), f("drawerPlaceOfIssue", "Place of issue")] },
    { heading: "Drawee", fields: noteParty("drawee", "Drawee") },
    { heading: "Payment", fields: [
      f("dueDate", "Due on", "text", true), f("currency", "Currency", "currency", true), f("amount", "Amount", "number", true),
      f("clause", "Law and arbitration"),
    ] },
    { heading: "Signed by", fields: [
      f("signerName", "Name"), f("signerPosition", "Position"), f("signerEmail", "Email"), f("signerTimeStamp", "Signed at"),
    ] },
  ],
  tables: [],
};

export const TEMPLATES = {
  BILL_OF_LADING: {
    title: "Bill of lading",
    number: "blNumber",
    // A transferable record: issuing mints its title, owned and held by parties named apart.
    transferable: true,
    sections: [
      { heading: "Shipment", fields: [
        f("blNumber", "B/L number", "text", true), f("vessel", "Vessel", "text", true), f("voyageNo", "Voyage"),
        f("portOfLoading", "Port of loading", "locode", true), f("portOfDischarge", "Port of discharge", "locode", true),
        f("negotiable", "Negotiable", "yesno"), f("freightPrepaid", "Freight prepaid", "yesno"),
      ] },
      { heading: "Shipper", fields: party("shipper", "Shipper", true) },
      { heading: "Consignee", fields: party("consignee", "Consignee", true) },
      { heading: "Notify party", fields: [f("notifyParty.name", "Notify party")] },
      { heading: "Remarks", fields: [f("remarks", "Remarks")] },
    ],
    tables: [{ path: "packages", heading: "Packages", columns: [
      f("description", "Description", "text", true), f("count", "Count", "count", true), f("weightKg", "Weight (kg)", "number", true),
    ] }],    w3c: {
      context: "https://trustvc.io/context/bill-of-lading.json",
      type: "BillOfLading",
      templateName: "BILL_OF_LADING",
      number: "blNumber",
      sections: [
        { heading: "Shipment", fields: [
          f("blNumber", "B/L number", "text", true), f("vessel", "Vessel", "text", true), f("voyageNo", "Voyage"),
          f("carrierName", "Carrier"), f("portOfLoading", "Port of loading", "text", true),
          f("portOfDischarge", "Port of discharge", "text", true), f("placeOfReceipt", "Place of receipt"),
          f("placeOfDelivery", "Place of delivery"),
        ] },
        { heading: "Shipper", fields: [
          f("shipperName", "Shipper: name", "text", true), f("shipperAddressStreet", "Shipper: street"),
          f("shipperAddressCountry", "Shipper: country", "country"),
        ] },
        { heading: "Consignee", fields: [f("consigneeName", "Consignee: name", "text", true)] },
        { heading: "Notify party", fields: [f("notifyPartyName", "Notify party")] },
      ],
      tables: [{ path: "packages", heading: "Packages", columns: [
        f("packagesDescription", "Description", "text", true), f("packagesWeight", "Weight", "text", true),
        f("packagesMeasurement", "Measurement"),
      ] }],
    },
  },
  CERTIFICATE_OF_ORIGIN: {
    title: "Certificate of origin",
    number: "certificateNo",
    sections: [
      { heading: "Certificate", fields: [
        f("certificateNo", "Certificate number", "text", true), f("issuedOn", "Issued on", "date", true),
        f("agreement", "Trade agreement"),
      ] },
      { heading: "Exporter", fields: [f("exporter.name", "Exporter", "text", true), f("exporter.country", "Exporter's country", "country", true)] },
      { heading: "Importer", fields: [f("importer.name", "Importer", "text", true), f("importer.country", "Importer's country", "country", true)] },
    ],
    tables: [{ path: "goods", heading: "Goods", columns: [
      f("hsCode", "HS code", "hs", true), f("description", "Description", "text", true), f("origin", "Origin", "country", true),
      f("quantity", "Quantity", "number", true), f("unit", "Unit", "text", true),
    ] }],    w3c: {
      context: "https://trustvc.io/context/coo.json",
      type: "Coo",
      templateName: "CHAFTA_COO",
      number: "cooId",
      sections: [
        { heading: "Certificate", fields: [
          f("cooId", "Certificate number", "text", true), f("issueDateTime", "Issued on", "date", true),
          f("supplyChainConsignmentInformation", "Trade agreement"),
        ] },
        { heading: "Exporter", fields: [
          f("exporterName", "Exporter", "text", true), f("exporterCityName", "Exporter's city"),
          f("exporterCountryCode", "Exporter's country", "country", true),
        ] },
        { heading: "Importer", fields: [
          f("importerName", "Importer", "text", true), f("importerCityName", "Importer's city"),
          f("importerCountryCode", "Importer's country", "country", true),
        ] },
        { heading: "Transport", fields: [
          f("loadingBaseportLocationName", "Port of loading"), f("unloadingBaseportLocationName", "Port of discharge"),
          f("usedTransportMeansName", "Vessel or vehicle"),
        ] },
      ],
      tables: [{ path: "includedConsignmentItems", heading: "Goods", columns: [
        f("tradeLineItems.0.harmonisedTariffclassCode", "HS code", "hs", true),
        f("includedConsignmentItemsInformation", "Description", "text", true),
        f("tradeLineItems.0.originCountryCode", "Origin", "country", true), f("originCriteriaText", "Origin criterion"),
      ] }],
    },
  },
  INVOICE: {
    title: "Invoice",
    number: "invoiceNo",
    sections: [
      { heading: "Invoice", fields: [
        f("invoiceNo", "Invoice number", "text", true), f("date", "Date", "date", true), f("paid", "Paid", "yesno"),
      ] },
      { heading: "Bill to", fields: [f("billTo.company", "Company", "text", true), f("billTo.address", "Address")] },
      { heading: "Total", fields: [{ ...f("total", "Total", "number"), computed: (data) => invoiceTotal(data) }] },
    ],
    tables: [{ path: "lines", heading: "Lines", columns: [
      f("description", "Description", "text", true), f("quantity", "Quantity", "number", true),
      f("unitPrice", "Unit price", "number", true), f("currency", "Currency", "currency", true),
    ] }],    w3c: {
      context: "https://trustvc.io/context/invoice.json",
      type: "Invoice",
      templateName: "INVOICE",
      number: "invoiceId",
      sections: [
        { heading: "Invoice", fields: [
          f("invoiceId", "Invoice number", "text", true), f("date", "Date", "date", true), f("terms", "Terms"),
        ] },
        { heading: "Bill from", fields: [
          f("billFromName", "Company", "text", true), f("billFromStreetAddress", "Address"), f("billFromCity", "City"),
        ] },
        { heading: "Bill to", fields: [
          f("billToCompanyName", "Company", "text", true), f("billToCompanyStreetAddress", "Address"),
          f("billToCompanyCity", "City"), f("billToEmail", "Email"),
        ] },
        { heading: "Total", fields: [
          { ...f("subtotal", "Subtotal", "number"), computed: (data) => lineTotal(data.billableItems) },
          f("tax", "Tax (%)", "number"),
          { ...f("taxTotal", "Tax", "number"), computed: (data) => taxOf(data) },
          { ...f("total", "Total", "number"), computed: (data) => cents(lineTotal(data.billableItems) * 100 + taxOf(data) * 100) },
        ] },
      ],
      tables: [{ path: "billableItems", heading: "Items", columns: [
        f("billableItemsDescription", "Description", "text", true), f("billableItemsQuantity", "Quantity", "number", true),
        f("billableItemsUnitPrice", "Unit price", "number", true),
        { ...f("billableItemsAmount", "Amount", "number"), computed: (item) => cents(Number(item.billableItemsQuantity) * Number(item.billableItemsUnitPrice) * 100) },
      ] }],
    },
  },
  BILL_OF_LADING_CARRIER: {
    title: "Carrier bill of lading",
    number: "blNumber",
    transferable: true,
    sections: [
      CARRIER_SHIPMENT,
      { heading: "Shipper", fields: [
        f("shipper.name", "Shipper: name", "text", true), f("shipper.address.street", "Shipper: street"),
        f("shipper.address.country", "Shipper: country"),
      ] },
      { heading: "Consignee", fields: [f("consignee.toOrderOfText", "To the order of"), f("consignee.name", "Consignee: name", "text", true)] },
      { heading: "Notify party", fields: [f("notifyParty.name", "Notify party")] },
      CARRIER_ISSUE,
    ],
    tables: [{ path: "packages", heading: "Particulars furnished by the shipper", columns: [
      f("description", "Description", "text", true), f("weight", "Weight", "text", true), f("measurement", "Measurement"),
    ] }],
    w3c: {
      context: "https://trustvc.io/context/bill-of-lading-carrier.json",
      type: "BillOfLadingCarrier",
      templateName: "BILL_OF_LADING_CARRIER",
      number: "blNumber",
      sections: [
        CARRIER_SHIPMENT,
        { heading: "Shipper", fields: [
          f("shipperName", "Shipper: name", "text", true), f("shipperAddressStreet", "Shipper: street"),
          f("shipperAddressCountry", "Shipper: country"),
        ] },
        { heading: "Consignee", fields: [f("toOrderOfText", "To the order of"), f("consigneeName", "Consignee: name", "text", true)] },
        { heading: "Notify party", fields: [f("notifyPartyName", "Notify party")] },
        CARRIER_ISSUE,
      ],
      tables: [{ path: "packages", heading: "Particulars furnished by the shipper", columns: [
        f("packagesDescription", "Description", "text", true), f("packagesWeight", "Weight", "text", true),
        f("packagesMeasurement", "Measurement"),
      ] }],
    },
  },
  WAREHOUSE_RECEIPT: {
    title: "Warehouse receipt",
    number: "warehouseReceiptDetails.warehouseReceipt",
    transferable: true,
    sections: [
      { heading: "Receipt", fields: [
        f("warehouseReceiptDetails.warehouseReceipt", "Receipt number", "text", true), f("spl", "SPL number"),
        f("warehouseReceiptDetails.issuanceDate", "Issued on", "text", true), f("warehouseReceiptDetails.ourRef", "Our reference"),
        f("warehouseReceiptDetails.yourRef", "Your reference"), f("warehouseReceiptDetails.rentStartDate", "Rent starts"),
        f("warehouseReceiptDetails.commodity", "Commodity", "text", true), f("warehouseReceiptDetails.documentType", "Document type"),
      ] },
      { heading: "Parties", fields: [
        f("warehouseReceiptDetails.order", "To the order of", "text", true), f("warehouseReceiptDetails.account", "For the account of"),
      ] },
      WAREHOUSE_PLACE,
    ],
    tables: [WAREHOUSE_GOODS],
    w3c: {
      context: "https://trustvc.io/context/warehouse-receipt.json",
      type: "WarehouseReceipt",
      templateName: "WAREHOUSE_RECEIPT",
      number: "warehouseReceipt",
      sections: [
        { heading: "Receipt", fields: [
          f("warehouseReceipt", "Receipt number", "text", true), f("spl", "SPL number"),
          f("issuanceDate", "Issued on", "text", true), f("ourRef", "Our reference"), f("yourRef", "Your reference"),
          f("rentStartDate", "Rent starts"), f("commodity", "Commodity", "text", true), f("documentType", "Document type"),
        ] },
        { heading: "Parties", fields: [f("order", "To the order of", "text", true), f("account", "For the account of")] },
        WAREHOUSE_PLACE,
      ],
      tables: [WAREHOUSE_GOODS],
    },
  },
  PROMISSORY_NOTE: {
    title: "Promissory note",
    number: "pNoteId",
    transferable: true,
    ...NOTE_LAYOUT,
    w3c: { context: "https://trustvc.io/context/promissory-note.json", type: "PromissoryNote",
      templateName: "PROMISSORY_NOTE", number: "pNoteId", ...NOTE_LAYOUT },
  },
};

// Layouts the portal shows but does not issue: a company's profile, as `corridor company
// issue` makes its credential (the profile under the subject's `profile`).
const p = (path, label) => f(`profile.${path}`, label);
const SHOWN_ONLY = {
  COMPANY_PROFILE: {
    title: "Company profile",
    w3c: {
      type: "CompanyProfile",
      templateName: "COMPANY_PROFILE",
      number: "profile.name.legal",
      sections: [
        { heading: "Company", fields: [
          p("name.legal", "Legal name"), p("name.english", "English name"), p("identifiers.uen", "UEN"),
          p("identifiers.uscc", "Unified social credit code"), p("identifiers.lei", "LEI"),
          p("legal_form.label", "Legal form"), p("status.label", "Status"), p("incorporation_date", "Incorporated"),
          p("industry.code", "Industry code"), p("industry.title", "Industry"),
        ] },
        { heading: "Registered address", fields: [
          p("registered_address.block", "Block"), p("registered_address.street", "Street"),
          p("registered_address.level", "Level"), p("registered_address.unit", "Unit"),
          p("registered_address.building", "Building"), p("registered_address.postal_code", "Postal code"),
          p("registered_address.line", "Address"), p("registered_address.line_english", "Address (English)"),
        ] },
        { heading: "Capital", fields: [
          p("capital.issued_shares", "Issued shares"), p("capital.paid_up.amount", "Paid up"),
          p("capital.paid_up.currency", "Currency"), p("registered_capital.display", "Registered capital"),
        ] },
        { heading: "Legal representative", fields: [
          p("legal_representative.person.name", "Name"), p("legal_representative.person.name_latin", "Name (Latin)"),
          p("legal_representative.person.nationality", "Nationality"),
        ] },
        { heading: "Source", fields: [p("source.provider", "Provider"), p("source.as_of", "As of")] },
      ],
      tables: [
        { path: "profile.officers", heading: "Officers", columns: [
          f("role_label", "Role"), f("person.name", "Name"), f("person.nationality", "Nationality"), f("appointed", "Appointed"),
        ] },
        { path: "profile.shareholders", heading: "Shareholders", columns: [
          f("kind", "Kind"), f("percentage_band", "Share (%)"), f("person.name", "Person"), f("company.name", "Company"),
        ] },
        { path: "profile.financials", heading: "Financials", columns: [
          f("period_end", "Year to"), f("currency", "Currency"), f("revenue", "Revenue"),
          f("profit_before_tax", "Profit before tax"), f("employees", "Employees"),
        ] },
      ],
    },
  },
};

// In cents, so that 0.1 + 0.2 is 0.3.
const invoiceTotal = (data) => (data.lines || [])
  .reduce((sum, l) => sum + Math.round(Number(l.quantity) * Number(l.unitPrice) * 100), 0) / 100;
// Money rounded to the cent from a number of cents.
const cents = (hundredths) => Math.round(hundredths) / 100;
const lineTotal = (items) => cents((items || []).reduce((sum, l) => sum + Math.round(Number(l.billableItemsAmount) * 100), 0));
const taxOf = (data) => cents(lineTotal(data.billableItems) * Number(data.tax || 0));

// The W3C templateName of the kind a credential's subject `types` name (TrustVC's `BillOfLading`,
// `Coo`, `Invoice`), for a credential that names no template: a copy that withholds its
// renderMethod is still laid out as its kind.
export const templateNameOfTypes = (types) => {
  const template = [...Object.values(TEMPLATES), ...Object.values(SHOWN_ONLY)]
    .find((t) => [].concat(types ?? []).includes(t.w3c.type));
  return template ? template.w3c.templateName : undefined;
};

// The layout of a document whose template is named `name`, in the vocabulary of its format:
// a built-in template (OpenAttestation), or the one whose `w3c.templateName` it is (a template
// the portal issues, or one it only shows).
export const layoutOf = (name, format) => {
  if (format !== "w3c") return TEMPLATES[name];
  const [key, template] = [...Object.entries(TEMPLATES), ...Object.entries(SHOWN_ONLY)]
    .find(([, t]) => t.w3c.templateName === name) || [];
  return template && { key, title: template.title, transferable: template.transferable, ...template.w3c };
};

export const inputType = (kind) => KINDS[kind].input || "text";

// The problem with a field's value as typed, or null. `value` is a string (a boolean for yesno).
export const checkField = (field, value) => {
  if (field.kind === "yesno") return null;
  const v = String(value).trim();
  if (!v) return field.required ? "required" : null;
  return KINDS[field.kind].check(v);
};

// A typed value as it goes into the document.
export const typedValue = (field, value) => {
  if (field.kind === "yesno") return Boolean(value);
  const v = String(value).trim();
  return field.kind === "number" || field.kind === "count" ? Number(v) : v;
};
