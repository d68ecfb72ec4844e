// A client's technical file: equipment, network, software with licences, confidential
// credentials and practical notes, sized to the client.
import type {
	ClientDoc,
	Credential,
	Equipment,
	Software,
	TechfileDoc
} from '../../src/lib/domain/schemas.ts';
import { techfileIdFor } from '../../src/lib/domain/ids.ts';
import type { DemoContext } from './context.ts';
import {
	ACCESS_POINT_MODELS,
	FIREWALL_MODELS,
	OPERATING_SYSTEMS,
	PRINTER_MODELS,
	SERVER_MODELS,
	SERVER_ROLES,
	SOFTWARE,
	SWITCH_MODELS,
	WORKSTATION_MODELS
} from './equipment.ts';
import type { Rng } from './rng.ts';
import { isoDay } from './time.ts';

const LOCATIONS = [
	'Accueil',
	'Direction',
	'Comptabilité',
	'Commercial',
	'Open space',
	'Atelier',
	'Salle de réunion',
	'RH'
] as const;
const PROVIDERS = [
	'Orange Business',
	'SFR Business',
	'Bouygues Telecom Entreprises',
	'Free Pro',
	'Kosc Telecom'
] as const;
const SERIAL_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

// prettier-ignore
const NOTES = [
	'Badge d’accès à demander à l’accueil ; parking visiteurs au niveau -1.',
	'Baie informatique au sous-sol, clé chez la responsable administrative.',
	'Ne pas redémarrer le serveur entre 12 h et 14 h (sauvegarde de la comptabilité).',
	'Interlocuteur technique présent le matin uniquement.',
	'Prévenir l’accueil avant toute coupure réseau : le standard est sur IP.',
	'Alarme du local technique : code à demander à la hotline.',
	'Le photocopieur est sous contrat de location, la maintenance matérielle est chez le loueur.'
];

function code(rng: Rng, length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += SERIAL_CHARS.charAt(rng.int(0, SERIAL_CHARS.length - 1));
	return out;
}

function brandOf(model: string): string {
	return model.split(' ')[0] ?? model;
}

function item(
	id: string,
	kind: string,
	label: string,
	model: string,
	rng: Rng,
	extra: Partial<Equipment> = {}
): Equipment {
	return { id, kind, label, brand: brandOf(model), model, serial: code(rng, 10), ...extra };
}

function equipment(rng: Rng, prefix: string, size: number): Equipment[] {
	const list: Equipment[] = [];
	const n = (i: number) => String(i + 1).padStart(2, '0');
	for (let i = 0; i < size; i++) {
		list.push(
			item(`pc-${n(i)}`, 'workstation', `${prefix}-PC${n(i)}`, rng.pick(WORKSTATION_MODELS), rng, {
				location: rng.pick(LOCATIONS),
				notes: rng.pick(OPERATING_SYSTEMS)
			})
		);
	}
	const printers = rng.int(1, 3);
	for (let i = 0; i < printers; i++) {
		list.push(
			item(`printer-${n(i)}`, 'printer', `${prefix}-IMP${n(i)}`, rng.pick(PRINTER_MODELS), rng, {
				location: rng.pick(LOCATIONS)
			})
		);
	}
	const switches = size > 10 ? 2 : 1;
	for (let i = 0; i < switches; i++) {
		list.push(
			item(`switch-${n(i)}`, 'switch', `${prefix}-SW${n(i)}`, rng.pick(SWITCH_MODELS), rng, {
				location: 'Baie informatique'
			})
		);
	}
	const aps = rng.int(1, Math.max(1, Math.ceil(size / 5)));
	for (let i = 0; i < aps; i++) {
		list.push(
			item(
				`ap-${n(i)}`,
				'access_point',
				`${prefix}-AP${n(i)}`,
				rng.pick(ACCESS_POINT_MODELS),
				rng,
				{ location: rng.pick(LOCATIONS) }
			)
		);
	}
	const servers = size < 5 ? rng.int(0, 1) : rng.int(1, 3);
	for (let i = 0; i < servers; i++) {
		list.push(
			item(`server-${n(i)}`, 'server', `${prefix}-SRV${n(i)}`, rng.pick(SERVER_MODELS), rng, {
				location: 'Baie informatique',
				notes: rng.pick(SERVER_ROLES)
			})
		);
	}
	list.push(
		item('firewall-01', 'firewall', `${prefix}-FW01`, rng.pick(FIREWALL_MODELS), rng, {
			location: 'Baie informatique'
		})
	);
	if (servers > 0)
		list.push(
			item('ups-01', 'ups', `${prefix}-UPS01`, 'APC Smart-UPS 1500', rng, {
				location: 'Baie informatique'
			})
		);
	return list;
}

function network(rng: Rng, withServers: boolean): TechfileDoc['network'] {
	const third = rng.int(1, 50);
	const range = (id: string, label: string, offset: number, vlan: number) => ({
		id,
		label,
		cidr: `192.168.${third + offset}.0/24`,
		gateway: `192.168.${third + offset}.254`,
		vlan
	});
	const ranges = [
		range('lan', 'LAN bureautique', 0, 10),
		range('voip', 'Téléphonie IP', 100, 20),
		range('guest', 'Wi-Fi invités', 150, 30)
	];
	if (withServers) ranges.push(range('servers', 'Serveurs', 200, 40));
	return {
		provider: rng.pick(PROVIDERS),
		publicIp: `203.0.113.${rng.int(2, 254)}`,
		ranges,
		notes: `Fibre ${rng.pick(['500 Mbit/s', '1 Gbit/s', '2 Gbit/s'])}, secours 4G sur le pare-feu. DHCP sur le pare-feu, DNS ${rng.pick(['du contrôleur de domaine', 'de l’opérateur', '1.1.1.1 et 9.9.9.9'])}.`
	};
}

function software(rng: Rng, today: number, seatsHint: number): Software[] {
	return rng.sample(SOFTWARE, rng.int(3, 6)).map((spec, i) => {
		// Some yearly licences expired recently or expire soon: the file shows them.
		const expires = spec.yearly ? today + rng.int(-40, 330) : undefined;
		return {
			id: `sw-${i + 1}`,
			name: spec.name,
			version: String(rng.int(2021, 2025)),
			licences: [
				{
					id: 'lic-1',
					key: `${code(rng, 5)}-${code(rng, 5)}-${code(rng, 5)}-${code(rng, 5)}`,
					seats: Math.max(1, seatsHint - rng.int(0, 2)),
					...(expires === undefined ? {} : { expiresOn: isoDay(expires) })
				}
			]
		};
	});
}

function credentials(rng: Rng, equipmentList: readonly Equipment[], domain: string): Credential[] {
	const secret = () => `${code(rng, 4)}-${code(rng, 4)}-${code(rng, 4)}`.toLowerCase();
	const list: Credential[] = [
		{
			id: 'cred-fw',
			label: 'Pare-feu (administration)',
			username: 'admin',
			secret: secret(),
			confidential: true,
			equipmentId: 'firewall-01'
		},
		{
			id: 'cred-wifi',
			label: 'Wi-Fi interne (clé WPA2)',
			username: '',
			secret: secret(),
			confidential: true
		},
		{
			id: 'cred-m365',
			label: 'Microsoft 365 (administrateur global)',
			username: `admin@${domain}`,
			secret: secret(),
			confidential: true
		}
	];
	const server = equipmentList.find((e) => e.kind === 'server');
	if (server)
		list.push({
			id: 'cred-srv',
			label: `${server.label} (administrateur local)`,
			username: 'Administrateur',
			secret: secret(),
			confidential: true,
			equipmentId: server.id
		});
	return list;
}

export function buildTechfile(
	client: ClientDoc,
	prefix: string,
	ctx: DemoContext,
	rng: Rng
): TechfileDoc {
	const size = rng.int(3, 14);
	const list = equipment(rng, prefix, size);
	const domain = client.contacts[0]?.email?.split('@')[1] ?? 'client.example';
	return {
		_id: techfileIdFor(client._id),
		type: 'techfile',
		clientId: client._id,
		equipment: list,
		network: network(
			rng,
			list.some((e) => e.kind === 'server')
		),
		software: software(rng, ctx.today, size),
		credentials: credentials(rng, list, domain),
		notes: rng.sample(NOTES, 2).join('\n'),
		createdAt: client.createdAt,
		createdBy: client.createdBy,
		updatedAt: client.updatedAt,
		updatedBy: client.updatedBy
	};
}
