// Ticket texts for the hardware and network categories: realistic French titles,
// descriptions, solutions and the tasks a technician reports.
import { EXPERT_GROUP, subs, t, type CategorySpec } from './catalogue.ts';

export const HARDWARE_CATEGORIES: readonly CategorySpec[] = [
	{
		id: 'poste-de-travail',
		label: 'Poste de travail',
		routingGroup: EXPERT_GROUP,
		weight: 18,
		subcategories: subs(
			['materiel', 'Matériel'],
			['systeme', 'Système et performances'],
			['installation', 'Installation et renouvellement']
		),
		skill: 'poste-de-travail',
		onSiteRate: 0.45,
		templates: [
			t(
				'materiel',
				'PC ne démarre plus',
				'Le poste de l’accueil reste sur écran noir après le logo, ventilateur qui tourne en continu.',
				'Alimentation défectueuse remplacée, poste redémarré et contrôlé.',
				[
					'Diagnostic matériel',
					'Remplacement de l’alimentation',
					'Test de démarrage et des périphériques'
				]
			),
			t(
				'systeme',
				'Écran bleu au démarrage',
				'Écran bleu « CRITICAL_PROCESS_DIED » depuis la mise à jour de cette nuit.',
				'Mise à jour défaillante désinstallée, pilotes réinstallés.',
				[
					'Démarrage en mode sans échec',
					'Désinstallation de la mise à jour KB',
					'Réinstallation des pilotes chipset'
				]
			),
			t(
				'systeme',
				'Lenteurs importantes sur le poste comptable',
				'Ouverture de session très longue, Sage met plusieurs minutes à s’ouvrir.',
				'Disque remplacé par un SSD, système cloné, performances rétablies.',
				['Analyse des performances', 'Clonage du disque vers SSD', 'Vérification de Sage']
			),
			t(
				'installation',
				'Installation d’un nouveau poste',
				'Arrivée d’une collaboratrice lundi : préparer un portable avec les logiciels habituels.',
				'Poste préparé, joint au domaine, logiciels et imprimantes installés.',
				[
					'Préparation du master',
					'Jonction au domaine',
					'Installation des logiciels métier',
					'Configuration des imprimantes'
				],
				true
			),
			t(
				'materiel',
				'Clavier et souris sans fil ne répondent plus',
				'Plus aucune réaction du clavier malgré le changement de piles.',
				'Récepteur USB remplacé, appairage refait.',
				['Test sur un autre port', 'Remplacement du kit clavier-souris']
			),
			t(
				'materiel',
				'Double écran non détecté',
				'Le second écran reste noir depuis le déménagement du bureau.',
				'Câble DisplayPort remplacé, affichage étendu configuré.',
				['Contrôle des câbles', 'Configuration de l’affichage']
			)
		]
	},
	{
		id: 'impression',
		label: 'Imprimante',
		routingGroup: EXPERT_GROUP,
		weight: 13,
		subcategories: subs(
			['panne', 'Panne'],
			['numerisation', 'Numérisation'],
			['installation', 'Installation']
		),
		skill: 'imprimante',
		onSiteRate: 0.5,
		templates: [
			t(
				'panne',
				'Imprimante du 2e étage hors ligne',
				'Plus personne ne peut imprimer sur la multifonction du 2e, elle apparaît hors ligne.',
				'Adresse IP de l’imprimante réservée en DHCP, file d’impression recréée.',
				[
					'Vérification réseau de l’imprimante',
					'Réservation DHCP',
					'Recréation de la file sur le serveur'
				]
			),
			t(
				'panne',
				'Bourrage papier à répétition',
				'Bourrage systématique dans le bac 2, message « ouvrir capot C ».',
				'Rouleaux d’entraînement du bac 2 remplacés.',
				['Nettoyage du circuit papier', 'Remplacement des rouleaux', 'Impression de test']
			),
			t(
				'numerisation',
				'Numérisation vers e-mail impossible',
				'Le scan vers mail renvoie une erreur d’authentification SMTP.',
				'Compte SMTP mis à jour avec un mot de passe d’application.',
				['Contrôle des paramètres SMTP', 'Création d’un mot de passe d’application']
			),
			t(
				'panne',
				'Traînées sur les impressions couleur',
				'Traînées magenta sur toutes les pages couleur.',
				'Tambour magenta remplacé.',
				['Impression de la page de diagnostic', 'Remplacement du tambour']
			),
			t(
				'installation',
				'Installation d’une nouvelle multifonction',
				'Livraison d’une multifonction Ricoh pour le service commercial, à installer et déployer.',
				'Multifonction installée, déployée par GPO, carnet d’adresses importé.',
				['Déballage et mise en place', 'Paramétrage réseau', 'Déploiement par GPO'],
				true
			)
		]
	},
	{
		id: 'reseau',
		label: 'Réseau',
		routingGroup: EXPERT_GROUP,
		weight: 11,
		subcategories: subs(
			['acces-internet', 'Accès Internet'],
			['lan', 'Réseau local'],
			['vpn', 'VPN']
		),
		skill: 'reseau',
		onSiteRate: 0.55,
		templates: [
			t(
				'acces-internet',
				'Plus d’accès Internet sur tout le site',
				'Aucun poste n’accède à Internet depuis 9 h, la box opérateur clignote.',
				'Lien opérateur rétabli après intervention de l’opérateur, pare-feu redémarré.',
				['Diagnostic du lien WAN', 'Ouverture d’un ticket opérateur', 'Contrôle du pare-feu']
			),
			t(
				'lan',
				'Switch de la baie qui redémarre',
				'Coupures réseau de quelques minutes plusieurs fois par jour au 1er étage.',
				'Switch défectueux remplacé, configuration restaurée.',
				[
					'Analyse des journaux du switch',
					'Remplacement du switch',
					'Restauration de la configuration'
				]
			),
			t(
				'lan',
				'Prise réseau inactive',
				'La prise murale du bureau 12 ne donne pas de réseau.',
				'Brassage corrigé dans la baie, prise testée.',
				['Test de la prise au testeur', 'Correction du brassage']
			),
			t(
				'vpn',
				'VPN nomade qui ne se connecte plus',
				'Les commerciaux n’arrivent plus à se connecter au VPN depuis ce matin.',
				'Certificat du VPN SSL renouvelé et déployé.',
				['Analyse des journaux du pare-feu', 'Renouvellement du certificat']
			),
			t(
				'lan',
				'Création d’un VLAN pour la téléphonie',
				'Séparer la téléphonie IP du réseau bureautique.',
				'VLAN voix créé, ports des téléphones reconfigurés.',
				['Création du VLAN', 'Configuration des ports', 'Mise à jour du DHCP'],
				true
			)
		]
	},
	{
		id: 'wifi',
		label: 'Wi-Fi',
		routingGroup: EXPERT_GROUP,
		weight: 8,
		subcategories: subs(
			['couverture', 'Couverture et stabilité'],
			['invites', 'Accès invités et clés']
		),
		skill: 'wifi',
		onSiteRate: 0.5,
		templates: [
			t(
				'couverture',
				'Wi-Fi très instable en salle de réunion',
				'Déconnexions fréquentes en salle de réunion, visioconférences coupées.',
				'Borne supplémentaire installée, canaux réajustés.',
				['Mesure de couverture', 'Ajout d’une borne', 'Réglage des canaux']
			),
			t(
				'invites',
				'Réseau invité à mettre en place',
				'Besoin d’un Wi-Fi invité isolé pour les visiteurs avec mot de passe hebdomadaire.',
				'SSID invité créé sur un VLAN isolé avec portail.',
				['Création du SSID invité', 'Isolation VLAN', 'Test depuis un poste visiteur'],
				true
			),
			t(
				'couverture',
				'Borne Wi-Fi éteinte',
				'La borne de l’open space ne s’allume plus.',
				'Injecteur PoE remplacé.',
				['Contrôle de l’alimentation PoE', 'Remplacement de l’injecteur']
			),
			t(
				'invites',
				'Mot de passe Wi-Fi à changer',
				'Départ d’un salarié, changer la clé du Wi-Fi interne.',
				'Clé WPA2 changée et communiquée aux utilisateurs.',
				['Changement de la clé', 'Reconnexion des postes fixes'],
				true
			)
		]
	},
	{
		id: 'telephonie',
		label: 'Téléphonie',
		routingGroup: EXPERT_GROUP,
		weight: 7,
		subcategories: subs(['standard', 'Standard et lignes'], ['postes', 'Postes téléphoniques']),
		skill: 'telephonie',
		onSiteRate: 0.35,
		templates: [
			t(
				'standard',
				'Standard injoignable de l’extérieur',
				'Les appelants tombent sur un message « numéro non attribué ».',
				'Trunk SIP réenregistré auprès de l’opérateur.',
				['Contrôle du trunk SIP', 'Réenregistrement', 'Tests d’appels entrants']
			),
			t(
				'postes',
				'Poste téléphonique sans tonalité',
				'Le poste de la comptabilité n’a plus de tonalité.',
				'Poste réinitialisé et reprovisionné.',
				['Réinitialisation du poste', 'Provisionnement']
			),
			t(
				'standard',
				'Messagerie vocale à configurer',
				'Configurer le renvoi vers messagerie après 4 sonneries pour le service RH.',
				'Règle de renvoi et message d’accueil configurés.',
				['Configuration du renvoi', 'Enregistrement de l’annonce'],
				true
			),
			t(
				'standard',
				'Écho pendant les appels',
				'Les interlocuteurs entendent un écho sur tous les appels sortants.',
				'QoS configurée sur le pare-feu pour le flux voix.',
				['Mesure de gigue', 'Configuration de la QoS']
			)
		]
	}
];
