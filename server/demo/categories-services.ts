// Ticket texts for the server, software, licence, e-mail and account categories:
// realistic French titles, descriptions, solutions and the tasks a technician reports.
import { EXPERT_GROUP, HOTLINE_GROUP, subs, t, type CategorySpec } from './catalogue.ts';

export const SERVICE_CATEGORIES: readonly CategorySpec[] = [
	{
		id: 'serveur',
		label: 'Serveur',
		routingGroup: EXPERT_GROUP,
		weight: 9,
		subcategories: subs(
			['fichiers', 'Fichiers et partages'],
			['sauvegarde', 'Sauvegarde et stockage'],
			['mises-a-jour', 'Mises à jour']
		),
		skill: 'serveur',
		onSiteRate: 0.4,
		templates: [
			t(
				'fichiers',
				'Serveur de fichiers inaccessible',
				'Les lecteurs réseau S: et P: sont déconnectés sur tous les postes.',
				'Service SMB redémarré, disque système libéré.',
				['Connexion à la console', 'Libération d’espace disque', 'Redémarrage des services']
			),
			t(
				'sauvegarde',
				'Alerte disque sur le NAS',
				'Le NAS bipe et indique un volume dégradé.',
				'Disque défaillant remplacé, reconstruction RAID terminée.',
				['Identification du disque', 'Remplacement à chaud', 'Suivi de la reconstruction']
			),
			t(
				'sauvegarde',
				'Sauvegarde de la nuit en échec',
				'Le rapport Veeam indique un échec de la sauvegarde du serveur de fichiers.',
				'Espace du dépôt libéré, sauvegarde relancée avec succès.',
				['Analyse du rapport', 'Purge des points de restauration', 'Relance de la sauvegarde']
			),
			t(
				'mises-a-jour',
				'Mises à jour mensuelles des serveurs',
				'Planifier et appliquer les mises à jour Windows Server du mois.',
				'Mises à jour appliquées, serveurs redémarrés hors production.',
				['Instantané des VM', 'Installation des mises à jour', 'Contrôle des services'],
				true
			),
			t(
				'fichiers',
				'Onduleur en alarme',
				'L’onduleur de la baie sonne et affiche « batterie faible ».',
				'Batterie de l’onduleur remplacée, test d’autonomie réalisé.',
				['Test de l’onduleur', 'Remplacement de la batterie']
			)
		]
	},
	{
		id: 'logiciel',
		label: 'Logiciel',
		routingGroup: EXPERT_GROUP,
		weight: 10,
		subcategories: subs(
			['metier', 'Logiciel métier'],
			['bureautique', 'Bureautique'],
			['installation', 'Installation']
		),
		skill: 'logiciel',
		onSiteRate: 0.2,
		templates: [
			t(
				'metier',
				'Erreur à l’ouverture de Sage',
				'Message « base de données verrouillée » à l’ouverture du dossier comptable.',
				'Verrou supprimé, utilisateurs déconnectés proprement.',
				['Analyse des sessions', 'Suppression du verrou']
			),
			t(
				'installation',
				'Installation d’AutoCAD LT',
				'Installer AutoCAD LT sur le poste du dessinateur.',
				'Logiciel installé et licence activée.',
				['Installation', 'Activation de la licence'],
				true
			),
			t(
				'bureautique',
				'Excel se ferme tout seul',
				'Excel plante dès l’ouverture des fichiers avec macros.',
				'Complément défectueux désactivé, Office réparé.',
				['Démarrage sans compléments', 'Réparation d’Office']
			),
			t(
				'metier',
				'Mise à jour du logiciel de paie',
				'Installer la nouvelle version de Quadra Paie avant la clôture du mois.',
				'Mise à jour installée et base migrée.',
				['Sauvegarde de la base', 'Mise à jour', 'Contrôle avec la gestionnaire de paie'],
				true
			)
		]
	},
	{
		id: 'licence',
		label: 'Licence',
		routingGroup: HOTLINE_GROUP,
		weight: 5,
		subcategories: subs(
			['microsoft-365', 'Microsoft 365'],
			['antivirus', 'Antivirus'],
			['renouvellement', 'Renouvellement']
		),
		skill: 'logiciel',
		onSiteRate: 0.05,
		templates: [
			t(
				'microsoft-365',
				'Licence Microsoft 365 à ajouter',
				'Nouvel arrivant : commander une licence Business Standard.',
				'Licence ajoutée au locataire et attribuée.',
				['Commande de la licence', 'Attribution'],
				true
			),
			t(
				'antivirus',
				'Antivirus : licence expirée',
				'Alerte « licence expirée » sur tous les postes.',
				'Licence renouvelée et clé déployée depuis la console.',
				['Renouvellement', 'Déploiement de la clé']
			),
			t(
				'renouvellement',
				'Renouvellement Acrobat Pro',
				'L’abonnement Acrobat arrive à échéance à la fin du mois.',
				'Abonnement renouvelé pour un an.',
				['Devis', 'Renouvellement'],
				true
			)
		]
	},
	{
		id: 'messagerie',
		label: 'Messagerie',
		routingGroup: EXPERT_GROUP,
		weight: 10,
		subcategories: subs(['boite', 'Boîte aux lettres'], ['hameconnage', 'Hameçonnage et sécurité']),
		skill: 'messagerie',
		onSiteRate: 0.1,
		templates: [
			t(
				'boite',
				'Outlook ne reçoit plus de mails',
				'Plus aucun message reçu depuis hier soir, l’envoi fonctionne.',
				'Profil Outlook recréé, boîte resynchronisée.',
				['Test en webmail', 'Recréation du profil']
			),
			t(
				'boite',
				'Boîte aux lettres pleine',
				'Message « boîte pleine » pour la direction.',
				'Archivage en ligne activé, quota libéré.',
				['Activation de l’archivage', 'Déplacement des anciens éléments']
			),
			t(
				'hameconnage',
				'Suspicion d’hameçonnage',
				'Une salariée a cliqué sur un lien dans un faux mail de livraison.',
				'Mot de passe réinitialisé, MFA activée, poste analysé.',
				[
					'Réinitialisation du mot de passe',
					'Analyse antivirus',
					'Contrôle des règles de transfert'
				]
			),
			t(
				'boite',
				'Création d’une adresse partagée',
				'Créer contact@ partagée entre l’accueil et la direction.',
				'Boîte partagée créée et ajoutée aux profils.',
				['Création de la boîte partagée', 'Attribution des droits'],
				true
			)
		]
	},
	{
		id: 'compte',
		label: 'Compte',
		routingGroup: HOTLINE_GROUP,
		weight: 9,
		subcategories: subs(
			['mot-de-passe', 'Mot de passe'],
			['arrivee-depart', 'Arrivée et départ'],
			['droits', 'Droits d’accès']
		),
		skill: 'securite',
		onSiteRate: 0.03,
		templates: [
			t(
				'mot-de-passe',
				'Mot de passe Windows oublié',
				'Compte verrouillé après trop de tentatives.',
				'Compte déverrouillé et mot de passe réinitialisé.',
				['Déverrouillage', 'Réinitialisation']
			),
			t(
				'arrivee-depart',
				'Création de compte nouvel arrivant',
				'Créer le compte de domaine, la messagerie et les accès au partage commercial.',
				'Compte créé avec les droits demandés.',
				['Création du compte AD', 'Création de la boîte', 'Droits sur les partages'],
				true
			),
			t(
				'arrivee-depart',
				'Désactivation de compte',
				'Départ d’un salarié vendredi : désactiver ses accès.',
				'Compte désactivé, boîte convertie en boîte partagée.',
				['Désactivation du compte', 'Conversion de la boîte'],
				true
			),
			t(
				'droits',
				'Accès refusé au dossier Direction',
				'La nouvelle assistante n’accède pas au dossier Direction.',
				'Ajout au groupe de sécurité Direction.',
				['Ajout au groupe', 'Vérification des droits']
			)
		]
	}
];
