// What the clients' technical files are made of: equipment models, software with
// their licences, and the spare parts technicians bring (prices excluding VAT, in euros).

export const WORKSTATION_MODELS = [
	'Dell OptiPlex 7010',
	'Dell Latitude 5440',
	'HP EliteBook 840 G10',
	'HP ProDesk 400 G9',
	'Lenovo ThinkPad T14',
	'Lenovo ThinkCentre M70q',
	'Apple MacBook Air M2',
	'Fujitsu Esprimo D7010'
] as const;

export const OPERATING_SYSTEMS = [
	'Windows 11 Pro',
	'Windows 10 Pro',
	'macOS 14',
	'Ubuntu 24.04 LTS'
] as const;

export const PRINTER_MODELS = [
	'HP LaserJet Pro M404dn',
	'Brother MFC-L8900CDW',
	'Canon imageRUNNER C3226i',
	'Kyocera ECOSYS M3655idn',
	'Ricoh IM C3000',
	'Xerox VersaLink C405',
	'Epson WorkForce Pro WF-C5790'
] as const;

export const SWITCH_MODELS = [
	'Cisco Catalyst 1000-24T',
	'HPE Aruba 2530-48G',
	'Netgear GS728TP',
	'Ubiquiti UniFi USW-24-PoE',
	'D-Link DGS-1210-28'
] as const;

export const ACCESS_POINT_MODELS = [
	'Ubiquiti UniFi U6-Pro',
	'Aruba Instant On AP22',
	'Cisco Meraki MR36',
	'TP-Link Omada EAP660 HD'
] as const;

export const SERVER_MODELS = [
	'Dell PowerEdge T350',
	'HPE ProLiant ML30 Gen10',
	'Lenovo ThinkSystem ST250',
	'Synology RS1221+',
	'QNAP TS-873A'
] as const;

export const SERVER_ROLES = [
	'Contrôleur de domaine',
	'Serveur de fichiers',
	'Sauvegarde (NAS)',
	'Hyperviseur Hyper-V',
	'Serveur d’applications',
	'Serveur d’impression'
] as const;

export const FIREWALL_MODELS = [
	'Fortinet FortiGate 60F',
	'Stormshield SN210',
	'Sophos XGS 107',
	'pfSense Netgate 4200',
	'WatchGuard Firebox T45'
] as const;

export interface SoftwareSpec {
	readonly name: string;
	readonly vendor: string;
	/** Whether the licence is a subscription with a yearly expiry. */
	readonly yearly: boolean;
}

export const SOFTWARE: readonly SoftwareSpec[] = [
	{ name: 'Microsoft 365 Business Standard', vendor: 'Microsoft', yearly: true },
	{ name: 'Sage 100 Comptabilité', vendor: 'Sage', yearly: true },
	{ name: 'EBP Gestion Commerciale', vendor: 'EBP', yearly: true },
	{ name: 'ESET PROTECT Entry', vendor: 'ESET', yearly: true },
	{ name: 'Veeam Backup & Replication', vendor: 'Veeam', yearly: true },
	{ name: 'Adobe Acrobat Pro', vendor: 'Adobe', yearly: true },
	{ name: 'AutoCAD LT', vendor: 'Autodesk', yearly: true },
	{ name: 'TeamViewer Business', vendor: 'TeamViewer', yearly: true },
	{ name: 'Windows Server 2022 Standard', vendor: 'Microsoft', yearly: false },
	{ name: 'Cegid Quadra Paie', vendor: 'Cegid', yearly: true },
	{ name: 'Bitdefender GravityZone', vendor: 'Bitdefender', yearly: true },
	{ name: 'LibreOffice', vendor: 'The Document Foundation', yearly: false }
];

export const PARTS = [
	{ label: 'Barrette mémoire DDR4 16 Go', unitPrice: 59 },
	{ label: 'SSD NVMe 512 Go', unitPrice: 79 },
	{ label: 'Alimentation ATX 500 W', unitPrice: 69 },
	{ label: 'Câble RJ45 Cat.6 3 m', unitPrice: 6 },
	{ label: 'Toner noir', unitPrice: 95 },
	{ label: 'Kit de fusion imprimante', unitPrice: 180 },
	{ label: 'Module SFP 1 Gbit/s', unitPrice: 45 },
	{ label: 'Batterie onduleur', unitPrice: 120 },
	{ label: 'Disque dur 4 To NAS', unitPrice: 135 },
	{ label: 'Casque téléphonique USB', unitPrice: 65 },
	{ label: 'Clavier et souris sans fil', unitPrice: 39 },
	{ label: 'Écran 24 pouces', unitPrice: 159 }
] as const;
